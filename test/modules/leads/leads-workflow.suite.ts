import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const ASSIGN = `mutation($id: ID!, $o: ID, $r: String) { assignLead(id: $id, ownerId: $o, reason: $r) {
  lead { id version assignedAt owner { id } history { kind fromOwner { id } toOwner { id } reason actor { id } } } userErrors { field code } } }`
const STATUS = `mutation($id: ID!, $s: LeadStatus!, $r: String) { updateLeadStatus(id: $id, status: $s, reason: $r) {
  lead { status statusReason firstContactedAt version } userErrors { field code message } } }`

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Workflow')
  const manager = await ctx.staff('manager', { teamId: team, name: 'Manager' })
  const amy = await ctx.staff('sales', { teamId: team, name: 'Amy' })
  const ben = await ctx.staff('sales', { teamId: team, name: 'Ben' })

  const newLead = async (name: string) => {
    const r = await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source: 'referral', name, phone: '13700001234', ownerId: amy.userId })
    return r.json() as { id: string; version: number }
  }
  const outbox = (id: string, type: string) =>
    ctx.sql<{ data: Record<string, unknown> }>('select data from outbox_events where entity_id = $1 and type = $2', [id, type])

  await t.test('creating a lead writes lead.created with masked contact, and its audit entry', async (t) => {
    const lead = await newLead('Created event')
    const [event] = await outbox(lead.id, 'lead.created')
    t.match(event.data, { lead: { id: lead.id, phone: '137****1234', status: 'new' } })
    t.notMatch(JSON.stringify(event.data), /13700001234/, 'no clear phone in the event')
    const audit = await ctx.sql('select actor_id from audit_entries where entity_id = $1 and action = $2', [lead.id, 'lead.created'])
    t.same(audit, [{ actor_id: manager.userId }])
  })

  await t.test('assignLead moves the lead, records history with from/to owner and emits lead.assigned', async (t) => {
    const lead = await newLead('To Ben')
    const r = await ctx.gql(manager.token, ASSIGN, { id: lead.id, o: ben.userId, r: 'Amy is on leave' })
    t.same(r.data.assignLead.userErrors, [])
    const moved = r.data.assignLead.lead
    t.equal(moved.owner.id, ben.userId)
    t.equal(moved.version, 2)
    t.match(moved.history.at(-1), { kind: 'assigned', fromOwner: { id: amy.userId }, toOwner: { id: ben.userId }, reason: 'Amy is on leave', actor: { id: manager.userId } })
    const events = await outbox(lead.id, 'lead.assigned')
    t.match(events.at(-1)?.data, { id: lead.id, fromOwnerId: amy.userId, toOwnerId: ben.userId, reason: 'Amy is on leave' })
    const audit = await ctx.sql('select changes from audit_entries where entity_id = $1 and action = $2', [lead.id, 'lead.assigned'])
    t.equal(audit.length, 2, 'one for the creation owner, one for the move')
  })

  await t.test('assigning to the same owner changes nothing and emits nothing', async (t) => {
    const lead = await newLead('Stays with Amy')
    const before = (await outbox(lead.id, 'lead.assigned')).length
    const r = await ctx.gql(manager.token, ASSIGN, { id: lead.id, o: amy.userId })
    t.equal(r.data.assignLead.lead.version, lead.version)
    t.equal((await outbox(lead.id, 'lead.assigned')).length, before)
  })

  await t.test('assign over REST honours If-Match and answers the lead', async (t) => {
    const lead = await newLead('REST assign')
    const stale = await ctx.rest(manager.token, 'POST', `/api/v1/leads/${lead.id}/assign`, { ownerId: ben.userId }, { 'if-match': '"7"' })
    t.equal(stale.statusCode, 412)
    const ok = await ctx.rest(manager.token, 'POST', `/api/v1/leads/${lead.id}/assign`, { ownerId: ben.userId }, { 'if-match': `"${lead.version}"` })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().ownerId, ben.userId)
    t.equal(ok.headers.etag, `"${lead.version + 1}"`)
  })

  await t.test('an upsert naming another owner reassigns the lead, with history and lead.assigned', async (t) => {
    const first = await ctx.rest(manager.token, 'PUT', '/api/v1/leads/by-external-id/erp-7', { source: 'erp', name: 'ERP lead', ownerId: amy.userId })
    t.equal(first.statusCode, 201)
    const again = await ctx.rest(manager.token, 'PUT', '/api/v1/leads/by-external-id/erp-7', { source: 'erp', name: 'ERP lead', ownerId: ben.userId })
    t.equal(again.statusCode, 200)
    t.equal(again.json().ownerId, ben.userId)
    t.match((await outbox(first.json().id, 'lead.assigned')).map((e) => e.data), [{ toOwnerId: amy.userId }, { fromOwnerId: amy.userId, toOwnerId: ben.userId }])
  })

  await t.test('a manager can return a lead to the pool; a sales rep cannot', async (t) => {
    const lead = await newLead('Back to pool')
    const rep = await ctx.gql(amy.token, ASSIGN, { id: lead.id, o: null })
    t.match(rep.data.assignLead.userErrors, [{ field: 'ownerId', code: 'REQUIRED' }])
    const r = await ctx.gql(manager.token, ASSIGN, { id: lead.id, o: null })
    t.equal(r.data.assignLead.lead.owner, null)
    t.equal(r.data.assignLead.lead.assignedAt, null)
  })

  await t.test('moves along the status table, stamping the first contact and writing history', async (t) => {
    const lead = await newLead('Status walk')
    const contacted = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'contacted' })
    t.same(contacted.data.updateLeadStatus.userErrors, [])
    t.equal(contacted.data.updateLeadStatus.lead.status, 'contacted')
    t.ok(contacted.data.updateLeadStatus.lead.firstContactedAt)
    const rest = await ctx.rest(amy.token, 'POST', `/api/v1/leads/${lead.id}/status`, { status: 'qualified' })
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().firstContactedAt, new Date(contacted.data.updateLeadStatus.lead.firstContactedAt).toISOString(), 'first contact kept')
    const h = await ctx.gql(amy.token, 'query($id: ID!) { lead(id: $id) { history { kind fromStatus toStatus } } }', { id: lead.id })
    t.same(h.data.lead.history.filter((e: { kind: string }) => e.kind === 'status_changed'), [
      { kind: 'status_changed', fromStatus: 'new', toStatus: 'contacted' },
      { kind: 'status_changed', fromStatus: 'contacted', toStatus: 'qualified' }
    ])
    t.match((await outbox(lead.id, 'lead.status_changed')).map((e) => e.data), [{ from: 'new', to: 'contacted' }, { from: 'contacted', to: 'qualified' }])
  })

  await t.test('an invalid transition is userError INVALID_TRANSITION and changes nothing', async (t) => {
    const lead = await newLead('No jumping')
    await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'contacted' })
    const back = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'new' })
    t.match(back.data.updateLeadStatus, { lead: null, userErrors: [{ field: 'status', code: 'INVALID_TRANSITION' }] })
    const convert = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'converted' })
    t.match(convert.data.updateLeadStatus.userErrors, [{ code: 'INVALID_TRANSITION', message: /convert/ }])
    const rest = await ctx.rest(amy.token, 'POST', `/api/v1/leads/${lead.id}/status`, { status: 'new' })
    t.equal(rest.statusCode, 422)
    t.equal(rest.json().code, 'CRM_ERR_INVALID_TRANSITION')
    const now = await ctx.rest(amy.token, 'GET', `/api/v1/leads/${lead.id}`)
    t.match(now.json(), { status: 'contacted', version: lead.version + 1 })
    t.equal((await outbox(lead.id, 'lead.status_changed')).length, 1)
  })

  await t.test('disqualifying needs a reason, which is kept; reopening moves it back to new', async (t) => {
    const lead = await newLead('Disqualify me')
    const none = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'disqualified' })
    t.match(none.data.updateLeadStatus.userErrors, [{ field: 'reason', code: 'REQUIRED' }])
    const ok = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'disqualified', r: 'no budget' })
    t.match(ok.data.updateLeadStatus.lead, { status: 'disqualified', statusReason: 'no budget' })
    const reopened = await ctx.gql(amy.token, STATUS, { id: lead.id, s: 'new' })
    t.match(reopened.data.updateLeadStatus.lead, { status: 'new', statusReason: null })
  })
})
