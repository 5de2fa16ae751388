import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const TRANSFER = `mutation($i: TransferOwnershipInput!) { transferOwnership(input: $i) {
  transferred { customers leads opportunities tasks referrers } userErrors { field code } } }`

async function create(ctx: TestApp, token: string, mutation: string, input: string, field: string, i: Record<string, unknown>): Promise<string> {
  const r = await ctx.gql(token, `mutation($i: ${input}!) { ${mutation}(input: $i) { ${field} { id } userErrors { message } } }`, { i })
  if (!r.data?.[mutation]?.[field]) throw new Error(JSON.stringify(r))
  return r.data[mutation][field].id
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const leaving = await ctx.staff('sales', { teamId: team })
  const taking = await ctx.staff('sales', { teamId: team })
  const bystander = await ctx.staff('sales', { teamId: team })
  const manager = await ctx.staff('manager')

  const customerIds = [
    await create(ctx, leaving.token, 'createCustomer', 'CreateCustomerInput', 'customer', { name: '离职客户1' }),
    await create(ctx, leaving.token, 'createCustomer', 'CreateCustomerInput', 'customer', { name: '离职客户2' })
  ]
  const otherCustomer = await create(ctx, bystander.token, 'createCustomer', 'CreateCustomerInput', 'customer', { name: '别人的客户' })
  const openLead = await create(ctx, leaving.token, 'createLead', 'CreateLeadInput', 'lead', { source: 'website', name: '开放线索' })
  const closedLead = await create(ctx, leaving.token, 'createLead', 'CreateLeadInput', 'lead', { source: 'website', name: '关闭线索' })
  await ctx.gql(leaving.token, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: disqualified, reason: "无意向") { userErrors { message } } }', { id: closedLead })
  const opp = await create(ctx, leaving.token, 'createOpportunity', 'CreateOpportunityInput', 'opportunity', { customerId: customerIds[0], name: '商机' })
  const openTask = await create(ctx, leaving.token, 'createTask', 'CreateTaskInput', 'task', { title: '待办' })
  const doneTask = await create(ctx, leaving.token, 'createTask', 'CreateTaskInput', 'task', { title: '已办' })
  await ctx.gql(leaving.token, 'mutation($id: ID!) { completeTask(id: $id) { userErrors { code } } }', { id: doneTask })

  await t.test('only admins and managers may transfer ownership', async (t) => {
    const r = await ctx.gql(bystander.token, TRANSFER, { i: { fromUserId: leaving.userId, toUserId: bystander.userId } })
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    const same = await ctx.gql(manager.token, TRANSFER, { i: { fromUserId: leaving.userId, toUserId: leaving.userId } })
    t.match(same.data.transferOwnership.userErrors, [{ field: 'toUserId', code: 'SAME_USER' }])
  })

  await t.test("moves only the departing rep's open records, and writes lead history", async (t) => {
    const r = await ctx.gql(manager.token, TRANSFER, { i: { fromUserId: leaving.userId, toUserId: taking.userId } })
    t.same(r.data.transferOwnership.userErrors, [])
    t.same(r.data.transferOwnership.transferred, { customers: 2, leads: 1, opportunities: 1, tasks: 1, referrers: 0 })

    const owners = await ctx.gql(ctx.adminToken, `query($a: ID!, $b: ID!, $o: ID!, $l: ID!, $c: ID!, $op: ID!, $t: ID!, $d: ID!) {
      a: customer(id: $a) { owner { id } } b: customer(id: $b) { owner { id } } other: customer(id: $o) { owner { id } }
      open: lead(id: $l) { owner { id } history { kind fromOwner { id } toOwner { id } reason } }
      closed: lead(id: $c) { owner { id } }
      opp: opportunity(id: $op) { owner { id } }
      openTask: task(id: $t) { assignee { id } } doneTask: task(id: $d) { assignee { id } } }`,
    { a: customerIds[0], b: customerIds[1], o: otherCustomer, l: openLead, c: closedLead, op: opp, t: openTask, d: doneTask })
    const d = owners.data
    t.equal(d.a.owner.id, taking.userId)
    t.equal(d.b.owner.id, taking.userId)
    t.equal(d.other.owner.id, bystander.userId, "another rep's customer stays")
    t.equal(d.open.owner.id, taking.userId)
    t.equal(d.closed.owner.id, leaving.userId, 'a disqualified lead stays (onlyOpen)')
    t.equal(d.opp.owner.id, taking.userId)
    t.equal(d.openTask.assignee.id, taking.userId)
    t.equal(d.doneTask.assignee.id, leaving.userId, 'a finished task stays (onlyOpen)')
    t.match(d.open.history.at(-1), { kind: 'assigned', fromOwner: { id: leaving.userId }, toOwner: { id: taking.userId }, reason: 'ownership_transfer' })

    const audits = await ctx.sql<{ entity_type: string; changes: { count: number } }>(
      "select entity_type, changes from audit_entries where action = 'ownership.transferred' order by entity_type")
    t.same(audits.map((a) => [a.entity_type, a.changes.count]), [['customer', 2], ['lead', 1], ['opportunity', 1], ['referrer', 0], ['task', 1]])
    const events = await ctx.sql<{ data: { counts: Record<string, number> } }>("select data from outbox_events where type = 'ownership.transferred'")
    t.equal(events.length, 1)
    t.same(events[0].data.counts, { customers: 2, leads: 1, opportunities: 1, tasks: 1, referrers: 0 })
  })

  await t.test('onlyOpen: false and a chosen entity list move closed records too, over REST', async (t) => {
    const res = await ctx.rest(manager.token, 'POST', '/api/v1/ownership/transfer',
      { fromUserId: leaving.userId, toUserId: taking.userId, entities: ['leads', 'tasks'], onlyOpen: false })
    t.equal(res.statusCode, 200)
    t.same(res.json().transferred, { customers: 0, leads: 1, opportunities: 0, tasks: 1, referrers: 0 })
    const unknown = await ctx.rest(manager.token, 'POST', '/api/v1/ownership/transfer',
      { fromUserId: leaving.userId, toUserId: '0190a0a0-0000-7000-8000-000000000000' })
    t.equal(unknown.statusCode, 400)
    t.equal(unknown.json().errors[0].code, 'UNKNOWN_USER')
  })
})
