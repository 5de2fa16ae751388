import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const LOG = `mutation($i: LogActivityInput!) { logActivity(input: $i) {
  activity { id kind direction occurredAt customerId leadId opportunityId author { id } customer { id } }
  userErrors { field message code } } }`
const LEAD = `query($id: ID!) { lead(id: $id) { id lastActivityAt firstContactedAt activities(first: 10) { id } } }`

async function customer(ctx: TestApp, token: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await ctx.gql(token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }', { i: { name, ...extra } })
  return r.data.createCustomer.customer.id
}

async function lead(ctx: TestApp, token: string, input: Record<string, unknown> = {}): Promise<string> {
  const r = await ctx.gql(token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { message } } }', { i: { source: 'website', name: '李四', ...input } })
  return r.data.createLead.lead.id
}

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString()

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })

  await t.test('logging a call on a lead moves lastActivityAt forward and sets firstContactedAt once', async (t) => {
    const leadId = await lead(ctx, rep.token)
    const first = await ctx.gql(rep.token, LOG, { i: { kind: 'call', leadId, occurredAt: minutesAgo(60), durationSeconds: 120 } })
    t.same(first.data.logActivity.userErrors, [])
    t.equal(first.data.logActivity.activity.direction, 'outbound')
    t.equal(first.data.logActivity.activity.author.id, rep.userId)
    let l = (await ctx.gql(rep.token, LEAD, { id: leadId })).data.lead
    t.equal(l.lastActivityAt, first.data.logActivity.activity.occurredAt)
    t.equal(l.firstContactedAt, first.data.logActivity.activity.occurredAt)

    const second = await ctx.gql(rep.token, LOG, { i: { kind: 'wechat', leadId, occurredAt: minutesAgo(10) } })
    await ctx.gql(rep.token, LOG, { i: { kind: 'note', leadId, occurredAt: minutesAgo(120), body: 'backdated' } })
    l = (await ctx.gql(rep.token, LEAD, { id: leadId })).data.lead
    t.equal(l.lastActivityAt, second.data.logActivity.activity.occurredAt, 'a backdated entry does not move it back')
    t.equal(l.firstContactedAt, first.data.logActivity.activity.occurredAt, 'the first contact stays')
    t.equal(l.activities.length, 3)
    t.equal(l.activities[0].id, second.data.logActivity.activity.id, 'newest first')
  })

  await t.test('a note on a fresh lead is not a first contact', async (t) => {
    const leadId = await lead(ctx, rep.token)
    const r = await ctx.gql(rep.token, LOG, { i: { kind: 'note', leadId, body: '待回电' } })
    t.equal(r.data.logActivity.activity.direction, 'internal')
    const l = (await ctx.gql(rep.token, LEAD, { id: leadId })).data.lead
    t.ok(l.lastActivityAt)
    t.equal(l.firstContactedAt, null)
  })

  await t.test('an activity on an opportunity also lands in its customer timeline', async (t) => {
    const customerId = await customer(ctx, rep.token, '王五')
    const opp = await ctx.gql(rep.token, 'mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } userErrors { message } } }',
      { i: { customerId, name: '年度采购' } })
    const opportunityId = opp.data.createOpportunity.opportunity.id
    const r = await ctx.gql(rep.token, LOG, { i: { kind: 'visit', opportunityId, subject: '上门拜访' } })
    t.same(r.data.logActivity.userErrors, [])
    t.equal(r.data.logActivity.activity.customerId, customerId)
    t.equal(r.data.logActivity.activity.customer.id, customerId)
    const c = await ctx.gql(rep.token, 'query($id: ID!) { customer(id: $id) { activities(first: 5) { id opportunityId } } }', { id: customerId })
    t.same(c.data.customer.activities, [{ id: r.data.logActivity.activity.id, opportunityId }])
    const o = await ctx.gql(rep.token, 'query($id: ID!) { opportunity(id: $id) { activities { id } } }', { id: opportunityId })
    t.same(o.data.opportunity.activities, [{ id: r.data.logActivity.activity.id }])
  })

  await t.test('an activity on a lead that has a customer is filed under the customer too', async (t) => {
    const customerId = await customer(ctx, rep.token, '赵六')
    const leadId = await lead(ctx, rep.token, { customerId })
    const r = await ctx.gql(rep.token, LOG, { i: { kind: 'email', leadId } })
    t.equal(r.data.logActivity.activity.customerId, customerId)
    const other = await customer(ctx, rep.token, '其他客户')
    const mismatch = await ctx.gql(rep.token, LOG, { i: { kind: 'email', leadId, customerId: other } })
    t.match(mismatch.data.logActivity.userErrors, [{ field: 'customerId', code: 'SUBJECT_MISMATCH' }])
  })

  await t.test('refuses an activity without a subject, in the future, or on an unknown record', async (t) => {
    const none = await ctx.gql(rep.token, LOG, { i: { kind: 'call' } })
    t.match(none.data.logActivity.userErrors, [{ code: 'SUBJECT_REQUIRED' }])
    const customerId = await customer(ctx, rep.token, '未来')
    const future = await ctx.gql(rep.token, LOG, { i: { kind: 'call', customerId, occurredAt: new Date(Date.now() + 3_600_000).toISOString() } })
    t.match(future.data.logActivity.userErrors, [{ field: 'occurredAt', code: 'IN_FUTURE' }])
    const soon = await ctx.gql(rep.token, LOG, { i: { kind: 'call', customerId, occurredAt: new Date(Date.now() + 60_000).toISOString() } })
    t.same(soon.data.logActivity.userErrors, [], 'a minute of clock drift is fine')
    const unknown = await ctx.gql(rep.token, LOG, { i: { kind: 'call', customerId: '0190a0a0-0000-7000-8000-000000000000' } })
    t.match(unknown.data.logActivity.userErrors, [{ field: 'customerId', code: 'UNKNOWN_REFERENCE' }])
  })

  await t.test('logs over REST and lists with filters, newest first', async (t) => {
    const customerId = await customer(ctx, rep.token, 'REST 客户')
    const a = await ctx.rest(rep.token, 'POST', '/api/v1/activities', { kind: 'call', customerId, occurredAt: minutesAgo(30) })
    t.equal(a.statusCode, 201)
    const b = await ctx.rest(rep.token, 'POST', '/api/v1/activities', { kind: 'sms', customerId, occurredAt: minutesAgo(5) })
    t.equal(b.statusCode, 201)
    const bad = await ctx.rest(rep.token, 'POST', '/api/v1/activities', { kind: 'fax', customerId })
    t.equal(bad.statusCode, 400)
    const list = await ctx.rest(rep.token, 'GET', `/api/v1/activities?customerId=${customerId}&limit=1`)
    t.equal(list.statusCode, 200)
    t.same(list.json().data.map((x: { id: string }) => x.id), [b.json().id])
    const next = await ctx.rest(rep.token, 'GET', `/api/v1/activities?customerId=${customerId}&limit=1&cursor=${list.json().nextCursor}`)
    t.same(next.json().data.map((x: { id: string }) => x.id), [a.json().id])
    const calls = await ctx.gql(rep.token, 'query($f: ActivityFilter) { activities(filter: $f) { totalCount edges { node { kind } } } }', { f: { customerId, kind: ['call'] } })
    t.equal(calls.data.activities.totalCount, 1)
    const one = await ctx.rest(rep.token, 'GET', `/api/v1/activities/${a.json().id}`)
    t.equal(one.json().kind, 'call')
    const [event] = await ctx.sql<{ type: string; data: { activity: { customerId: string } } }>(
      'select type, data from outbox_events where entity_id = $1', [a.json().id])
    t.equal(event.type, 'activity.logged')
    t.equal(event.data.activity.customerId, customerId)
  })
})
