import t from 'tap'
import { followUpScanJob } from '../../../src/jobs/follow-up-scan.job.js'
import { forEachDatabase } from '../../helper.js'

// Issue 15: a lead created by an integration (or a key without a user) with no owner used
// to stay in the pool although an assignment rule matched it.
const FIELDS = `id source region owner { id } assignedAt firstContactDueAt nextFollowUpAt
  history { kind toOwner { id } reason actor { id } }`
const CREATE = `mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { ${FIELDS} } userErrors { field code message } } }`
const UPSERT = `mutation($x: String!, $i: CreateLeadInput!) { upsertLead(externalId: $x, input: $i) { lead { ${FIELDS} } created userErrors { code } } }`
const LEAD = `query($id: ID!) { lead(id: $id) { ${FIELDS} } }`
const RULE = 'mutation($i: CreateAssignmentRuleInput!) { createAssignmentRule(input: $i) { rule { id } userErrors { code message } } }'

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const manager = await ctx.staff('manager', { teamId: north, name: 'Manager' })
  const amy = await ctx.staff('sales', { teamId: north, name: 'Amy' })
  const ben = await ctx.staff('sales', { teamId: north, name: 'Ben' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const integration = await ctx.keyToken('integration')
  const ruleRes = await ctx.gql(manager.token, RULE, { i: { name: 'Shanghai', priority: 10, sources: ['website'], regions: ['上海'], assigneeId: carol.userId } })
  const ruleId = ruleRes.data.createAssignmentRule.rule.id as string
  const referrer = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } } }',
    { i: { kind: 'partner', name: 'Ben 的渠道', ownerId: ben.userId } })
  const bensReferrer = referrer.data.createReferrer.referrer.id as string
  await ctx.gql(manager.token, 'mutation { upsertFollowUpPolicy(source: "website", input: { firstContactHours: 24, followUpDays: 2 }) { userErrors { code } } }')

  await t.test('an integration\'s lead without an owner goes to the matching rule, written inline', async (t) => {
    const r = await ctx.gql(integration, `mutation { createLead(input: { source: "website", region: "上海", name: "官网线索", phone: "13900001111" }) {
      lead { ${FIELDS} } userErrors { code } } }`)
    t.same(r.data.createLead.userErrors, [])
    const lead = r.data.createLead.lead
    t.equal(lead.owner?.id, carol.userId)
    t.same(lead.history, [
      { kind: 'created', toOwner: { id: carol.userId }, reason: null, actor: null },
      { kind: 'assigned', toOwner: { id: carol.userId }, reason: 'rule:Shanghai', actor: null }
    ])
    const assigned = Date.parse(lead.assignedAt)
    t.equal(Date.parse(lead.firstContactDueAt) - assigned, 24 * 3600_000, "first contact due per the website source's policy")
    t.equal(Date.parse(lead.nextFollowUpAt) - assigned, 2 * 86400_000)
    const events = await ctx.sql<{ type: string; data: Record<string, unknown> }>('select type, data from outbox_events where entity_id = $1 order by id', [lead.id])
    t.same(events.map((e) => e.type), ['lead.created', 'lead.assigned'])
    t.match(events[1].data, { toOwnerId: carol.userId, fromOwnerId: null, via: 'rule', ruleId, reason: 'rule:Shanghai' })
    const audit = await ctx.sql<{ changes: Record<string, unknown> }>("select changes from audit_entries where entity_id = $1 and action = 'lead.assigned'", [lead.id])
    t.match(audit, [{ changes: { via: 'rule', ruleId, explanation: /rule "Shanghai" matched/ } }])
  })

  await t.test('the same through variables, with the bootstrap admin key (no user behind it)', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'Website', region: ' 上海 ', name: 'Admin key lead' } })
    t.equal(r.data.createLead.lead.owner.id, carol.userId, 'conditions compare trimmed and case-insensitively')
  })

  await t.test('over REST POST /api/v1/leads, and through upserts on both transports', async (t) => {
    const rest = await ctx.rest(integration, 'POST', '/api/v1/leads', { source: 'website', region: '上海', name: 'REST lead' })
    t.equal(rest.statusCode, 201)
    t.equal(rest.json().ownerId, carol.userId)
    const put = await ctx.rest(integration, 'PUT', '/api/v1/leads/by-external-id/erp-1', { source: 'website', region: '上海', name: 'ERP lead' })
    t.equal(put.statusCode, 201, put.body)
    t.equal(put.json().ownerId, carol.userId)
    const gql = await ctx.gql(integration, UPSERT, { x: 'erp-2', i: { source: 'website', region: '上海', name: 'ERP lead 2' } })
    t.match(gql.data.upsertLead, { created: true, lead: { owner: { id: carol.userId } } })
    const again = await ctx.gql(integration, UPSERT, { x: 'erp-2', i: { source: 'website', region: '上海', name: 'ERP lead 2b' } })
    t.match(again.data.upsertLead, { created: false, lead: { owner: { id: carol.userId } } }, 'an update does not route again')
    t.equal(again.data.upsertLead.lead.history.filter((h: { kind: string }) => h.kind === 'assigned').length, 1)
  })

  await t.test("without a matching rule: the referrer's relationship owner, then round-robin", async (t) => {
    const viaReferrer = await ctx.gql(integration, CREATE, { i: { source: 'partner', name: 'Partner lead', referrerId: bensReferrer } })
    t.equal(viaReferrer.data.createLead.lead.owner.id, ben.userId)
    t.equal(viaReferrer.data.createLead.lead.history.at(-1).reason, 'referrer_owner')
    const owners: string[] = []
    for (let i = 0; i < 3; i++) {
      const r = await ctx.gql(integration, CREATE, { i: { source: 'fair', name: `Fair lead ${i}` } })
      t.equal(r.data.createLead.lead.history.at(-1).reason, 'round_robin:global')
      owners.push(r.data.createLead.lead.owner.id)
    }
    t.same(new Set(owners), new Set([amy.userId, ben.userId, carol.userId]), 'every active sales rep takes a turn')
  })

  await t.test('an explicit owner is kept, null keeps the lead in the pool, a staff caller owns its own lead', async (t) => {
    const named = await ctx.gql(integration, CREATE, { i: { source: 'website', region: '上海', name: 'Named', ownerId: amy.userId } })
    t.equal(named.data.createLead.lead.owner.id, amy.userId)
    t.same(named.data.createLead.lead.history.at(-1), { kind: 'assigned', toOwner: { id: amy.userId }, reason: null, actor: null })
    const pool = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'website', region: '上海', name: 'Pool', ownerId: null } })
    t.equal(pool.data.createLead.lead.owner, null)
    t.same(pool.data.createLead.lead.history.map((h: { kind: string }) => h.kind), ['created'])
    const own = await ctx.gql(amy.token, CREATE, { i: { source: 'website', region: '上海', name: 'Amy found it' } })
    t.equal(own.data.createLead.lead.owner.id, amy.userId)
    const mine = await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source: 'website', region: '上海', name: 'Manager found it' })
    t.equal(mine.json().ownerId, manager.userId)
    const refused = await ctx.gql(amy.token, CREATE, { i: { source: 'website', name: 'x', ownerId: null } })
    t.match(refused.data.createLead.userErrors, [{ field: 'ownerId', code: 'REQUIRED' }], 'a sales rep may not drop a lead in the pool')
  })

  await t.test('the routed owner sees the lead, a rep outside their reach does not; the follow-up scan works it', async (t) => {
    const r = await ctx.gql(integration, CREATE, { i: { source: 'website', region: '上海', name: 'Seen by Carol' } })
    const id = r.data.createLead.lead.id
    t.equal((await ctx.gql(carol.token, LEAD, { id })).data.lead.owner.id, carol.userId)
    t.equal((await ctx.gql(amy.token, LEAD, { id })).data.lead, null)
    t.equal((await ctx.rest(amy.token, 'GET', `/api/v1/leads/${id}`)).statusCode, 404)
    t.equal((await ctx.gql(manager.token, LEAD, { id })).data.lead.owner.id, carol.userId)
    await followUpScanJob.run(ctx.app.services, new Date(Date.now() + 3 * 86400_000))
    const tasks = await ctx.sql<{ title: string; assignee_id: string }>("select title, assignee_id from tasks where lead_id = $1 and origin = 'follow_up_policy' order by title", [id])
    t.match(tasks, [{ title: /First contact overdue/ }, { title: /Follow up/, assignee_id: carol.userId }])
  })
})
