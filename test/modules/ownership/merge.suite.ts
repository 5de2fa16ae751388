import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const MERGE = `mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) {
  customer { id name phone company tags attributes version activities { id } } mergedIds moved userErrors { field code } } }`

async function create(ctx: TestApp, token: string, mutation: string, input: string, field: string, i: Record<string, unknown>): Promise<string> {
  const r = await ctx.gql(token, `mutation($i: ${input}!) { ${mutation}(input: $i) { ${field} { id } userErrors { message } } }`, { i })
  if (!r.data?.[mutation]?.[field]) throw new Error(JSON.stringify(r))
  return r.data[mutation][field].id
}

const customer = (ctx: TestApp, token: string, i: Record<string, unknown>) => create(ctx, token, 'createCustomer', 'CreateCustomerInput', 'customer', i)

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })
  const manager = await ctx.staff('manager')

  await t.test('merges a duplicate: everything moves, the survivor keeps its data and fills its gaps', async (t) => {
    const survivor = await customer(ctx, rep.token, { name: '陈七', tags: ['vip'], attributes: { source: 'expo' } })
    const duplicate = await customer(ctx, rep.token, { name: '陈七 (重复)', phone: '13812345678', company: '七号公司', tags: ['wechat'], attributes: { source: 'web', size: 'L' } })
    const activity = await create(ctx, rep.token, 'logActivity', 'LogActivityInput', 'activity', { kind: 'call', customerId: duplicate })
    const opp = await create(ctx, rep.token, 'createOpportunity', 'CreateOpportunityInput', 'opportunity', { customerId: duplicate, name: '续约' })
    await create(ctx, rep.token, 'createTask', 'CreateTaskInput', 'task', { title: '回访', customerId: duplicate })
    const lead = await create(ctx, rep.token, 'createLead', 'CreateLeadInput', 'lead', { source: 'website', name: '陈七', customerId: duplicate })
    const referrer = await create(ctx, rep.token, 'createReferrer', 'CreateReferrerInput', 'referrer', { kind: 'customer', name: '陈七', customerId: duplicate })

    const r = await ctx.gql(manager.token, MERGE, { s: survivor, m: [duplicate] })
    t.same(r.data.mergeCustomers.userErrors, [])
    const c = r.data.mergeCustomers.customer
    t.equal(c.name, '陈七', 'the survivor keeps its own fields')
    t.equal(c.phone, '13812345678', 'and takes the ones it lacked')
    t.equal(c.company, '七号公司')
    t.same(c.tags, ['vip', 'wechat'])
    t.same(c.attributes, { source: 'expo', size: 'L' })
    t.same(c.activities.map((a: { id: string }) => a.id), [activity])
    t.same(r.data.mergeCustomers.moved, { activities: 1, opportunities: 1, tasks: 1, leads: 1, referrers: 1 })

    const after = await ctx.gql(rep.token, `query($d: ID!, $o: ID!, $l: ID!, $r: ID!) {
      gone: customer(id: $d) { id } opportunity(id: $o) { customerId } lead(id: $l) { customerId } referrer(id: $r) { customer { id } }
      customers(first: 200) { edges { node { id } } } }`, { d: duplicate, o: opp, l: lead, r: referrer })
    t.equal(after.data.gone, null, 'the merged customer is gone')
    t.notOk(after.data.customers.edges.some((e: { node: { id: string } }) => e.node.id === duplicate), 'and out of lists')
    t.equal(after.data.opportunity.customerId, survivor)
    t.equal(after.data.lead.customerId, survivor)
    t.equal(after.data.referrer.customer.id, survivor)

    const [record] = await ctx.sql<{ survivor_id: string; moved: Record<string, number>; merged_snapshot: Record<string, unknown> }>(
      'select survivor_id, moved, merged_snapshot from customer_merges where merged_id = $1', [duplicate])
    t.equal(record.survivor_id, survivor)
    t.equal(record.moved.opportunities, 1)
    t.equal(record.merged_snapshot.phone, '138****5678', 'the snapshot holds personal data masked')
    t.notOk('phoneEnc' in record.merged_snapshot)
    const events = await ctx.sql<{ data: { mergedIds: string[] } }>("select data from outbox_events where type = 'customer.merged' and entity_id = $1", [survivor])
    t.same(events[0].data.mergedIds, [duplicate])
  })

  await t.test('refuses merging a customer into itself or an already merged one', async (t) => {
    const a = await customer(ctx, manager.token, { name: 'A' })
    const b = await customer(ctx, manager.token, { name: 'B' })
    const self = await ctx.gql(manager.token, MERGE, { s: a, m: [a] })
    t.match(self.data.mergeCustomers.userErrors, [{ field: 'mergedIds', code: 'SELF_MERGE' }])
    t.same((await ctx.gql(manager.token, MERGE, { s: a, m: [b] })).data.mergeCustomers.userErrors, [])
    const again = await ctx.gql(manager.token, MERGE, { s: a, m: [b] })
    t.match(again.data.mergeCustomers.userErrors, [{ field: 'mergedIds', code: 'ALREADY_MERGED' }])
    const into = await ctx.gql(manager.token, MERGE, { s: b, m: [a] })
    t.match(into.data.mergeCustomers.userErrors, [{ field: 'survivorId', code: 'ALREADY_MERGED' }])
  })

  await t.test('a sales rep may not merge; an unknown id is 404 over REST', async (t) => {
    const a = await customer(ctx, rep.token, { name: 'C' })
    const b = await customer(ctx, rep.token, { name: 'D' })
    const denied = await ctx.rest(rep.token, 'POST', `/api/v1/customers/${a}/merge`, { mergedIds: [b] })
    t.equal(denied.statusCode, 403)
    const missing = await ctx.rest(manager.token, 'POST', `/api/v1/customers/${a}/merge`, { mergedIds: ['0190a0a0-0000-7000-8000-000000000000'] })
    t.equal(missing.statusCode, 404)
    const ok = await ctx.rest(manager.token, 'POST', `/api/v1/customers/${a}/merge`, { mergedIds: [b] })
    t.equal(ok.statusCode, 200)
    t.same(ok.json().mergedIds, [b])
  })
})
