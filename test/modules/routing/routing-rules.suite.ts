import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const RULE = 'id name priority active sources industries regions campaignIds assignee { id } team { id } version'
const CREATE = `mutation($i: CreateAssignmentRuleInput!) { createAssignmentRule(input: $i) { rule { ${RULE} } userErrors { field code message } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateAssignmentRuleInput!) { updateAssignmentRule(id: $id, input: $i) { rule { ${RULE} } userErrors { field code } } }`
const DELETE = 'mutation($id: ID!, $v: Int) { deleteAssignmentRule(id: $id, expectedVersion: $v) { deletedId userErrors { field code } } }'
const RULES = `{ assignmentRules { ${RULE} } }`
const UPSERT = `mutation($s: String!, $i: FollowUpPolicyInput!) { upsertFollowUpPolicy(source: $s, input: $i) {
  policy { id source firstContactHours followUpDays dormantDays active version } created userErrors { field code } } }`

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Routing North')
  const manager = await ctx.staff('manager', { teamId: team, name: 'Routing manager' })
  const rep = await ctx.staff('sales', { teamId: team, name: 'Routing rep' })
  const marketing = await ctx.staff('marketing')
  const gone = await ctx.staff('sales', { teamId: team, name: 'Gone rep' })
  await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { userErrors { code } } }', { id: gone.userId })
  const outbox = (id: string) => ctx.sql<{ type: string; data: Record<string, unknown> }>('select type, data from outbox_events where entity_id = $1 order by id', [id])

  await t.test('a manager creates a user rule and a team rule; they list in priority order', async (t) => {
    const a = await ctx.gql(manager.token, CREATE, { i: { name: 'Finance to rep', priority: 50, industries: ['Finance'], assigneeId: rep.userId } })
    t.same(a.data.createAssignmentRule.userErrors, [])
    t.match(a.data.createAssignmentRule.rule, { name: 'Finance to rep', priority: 50, active: true, industries: ['Finance'], assignee: { id: rep.userId }, team: null, version: 1 })
    const b = await ctx.gql(manager.token, CREATE, { i: { name: 'North region', priority: 10, regions: ['North'], teamId: team } })
    t.match(b.data.createAssignmentRule.rule, { priority: 10, team: { id: team }, assignee: null })
    const list = await ctx.gql(rep.token, RULES)
    t.same(list.data.assignmentRules.map((r: { name: string }) => r.name), ['North region', 'Finance to rep'])
    const ruleId = a.data.createAssignmentRule.rule.id
    t.match(await outbox(ruleId), [{ type: 'assignment_rule.created', data: { rule: { id: ruleId, name: 'Finance to rep' } } }])
    const audit = await ctx.sql('select action, actor_id from audit_entries where entity_id = $1', [ruleId])
    t.same(audit, [{ action: 'assignment_rule.created', actor_id: manager.userId }])
  })

  await t.test('refuses a rule without exactly one target, or naming an unknown or inactive user', async (t) => {
    const none = await ctx.gql(manager.token, CREATE, { i: { name: 'No target' } })
    t.match(none.data.createAssignmentRule, { rule: null, userErrors: [{ field: 'assigneeId', code: 'ONE_TARGET' }] })
    const both = await ctx.gql(manager.token, CREATE, { i: { name: 'Both', assigneeId: rep.userId, teamId: team } })
    t.match(both.data.createAssignmentRule.userErrors, [{ code: 'ONE_TARGET' }])
    const inactive = await ctx.gql(manager.token, CREATE, { i: { name: 'Inactive', assigneeId: gone.userId } })
    t.match(inactive.data.createAssignmentRule.userErrors, [{ field: 'assigneeId', code: 'INACTIVE_USER' }])
    const cannot = await ctx.gql(manager.token, CREATE, { i: { name: 'Marketing', assigneeId: marketing.userId } })
    t.match(cannot.data.createAssignmentRule.userErrors, [{ field: 'assigneeId', code: 'CANNOT_OWN_LEADS' }])
    const nobody = '01900000-0000-7000-8000-000000000000'
    const unknown = await ctx.gql(manager.token, CREATE, { i: { name: 'Unknown', teamId: nobody } })
    t.match(unknown.data.createAssignmentRule.userErrors, [{ field: 'teamId', code: 'UNKNOWN_REFERENCE' }])
    const campaign = await ctx.gql(manager.token, CREATE, { i: { name: 'Campaign', teamId: team, campaignIds: [nobody] } })
    t.match(campaign.data.createAssignmentRule.userErrors, [{ field: 'campaignIds', code: 'UNKNOWN_REFERENCE' }])
    const rest = await ctx.rest(manager.token, 'POST', '/api/v1/assignment-rules', { name: 'REST none' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'assigneeId', code: 'ONE_TARGET' }] })
    const priority = await ctx.rest(manager.token, 'POST', '/api/v1/assignment-rules', { name: 'Bad priority', priority: -1, teamId: team })
    t.equal(priority.statusCode, 400)
    const names = (await ctx.gql(manager.token, RULES)).data.assignmentRules.map((r: { name: string }) => r.name)
    t.notOk(names.some((n: string) => ['No target', 'Both', 'Inactive', 'Marketing', 'Unknown', 'Campaign', 'REST none', 'Bad priority'].includes(n)), 'nothing was written')
  })

  await t.test('updates a rule with expectedVersion; a stale version is STALE_VERSION; switching target nulls the other', async (t) => {
    const r = await ctx.gql(manager.token, CREATE, { i: { name: 'To switch', assigneeId: rep.userId } })
    const rule = r.data.createAssignmentRule.rule
    const stale = await ctx.gql(manager.token, UPDATE, { id: rule.id, i: { priority: 5, expectedVersion: 9 } })
    t.match(stale.data.updateAssignmentRule.userErrors, [{ code: 'STALE_VERSION' }])
    const half = await ctx.gql(manager.token, UPDATE, { id: rule.id, i: { teamId: team } })
    t.match(half.data.updateAssignmentRule.userErrors, [{ code: 'ONE_TARGET' }])
    const ok = await ctx.gql(manager.token, UPDATE, { id: rule.id, i: { teamId: team, assigneeId: null, active: false, expectedVersion: 1 } })
    t.match(ok.data.updateAssignmentRule.rule, { team: { id: team }, assignee: null, active: false, version: 2 })
    const events = await outbox(rule.id)
    t.match(events.at(-1), { type: 'assignment_rule.updated', data: { changes: { active: { from: true, to: false }, teamId: { to: team } } } })
    const rest = await ctx.rest(manager.token, 'PATCH', `/api/v1/assignment-rules/${rule.id}`, { priority: 7 }, { 'if-match': '"1"' })
    t.equal(rest.statusCode, 412)
    const restOk = await ctx.rest(manager.token, 'PATCH', `/api/v1/assignment-rules/${rule.id}`, { priority: 7 }, { 'if-match': '"2"' })
    t.equal(restOk.statusCode, 200)
    t.equal(restOk.headers.etag, '"3"')
  })

  await t.test('deletes a rule: it leaves the list, emits assignment_rule.deleted; REST twin answers 204 then 404', async (t) => {
    const r = await ctx.gql(manager.token, CREATE, { i: { name: 'Short lived', assigneeId: rep.userId } })
    const id = r.data.createAssignmentRule.rule.id
    const d = await ctx.gql(manager.token, DELETE, { id, v: 1 })
    t.same(d.data.deleteAssignmentRule, { deletedId: id, userErrors: [] })
    t.notOk((await ctx.gql(manager.token, RULES)).data.assignmentRules.some((x: { id: string }) => x.id === id))
    t.equal((await outbox(id)).at(-1)?.type, 'assignment_rule.deleted')
    const r2 = await ctx.rest(manager.token, 'POST', '/api/v1/assignment-rules', { name: 'REST lived', teamId: team })
    t.equal(r2.statusCode, 201)
    t.equal(r2.headers.location, `/api/v1/assignment-rules/${r2.json().id}`)
    t.equal((await ctx.rest(manager.token, 'DELETE', `/api/v1/assignment-rules/${r2.json().id}`)).statusCode, 204)
    t.equal((await ctx.rest(manager.token, 'GET', `/api/v1/assignment-rules/${r2.json().id}`)).statusCode, 404)
  })

  await t.test('sales and marketing read rules but may not change them; referrer tokens see nothing', async (t) => {
    const w = await ctx.gql(rep.token, CREATE, { i: { name: 'Mine', assigneeId: rep.userId } })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(marketing.token, 'POST', '/api/v1/assignment-rules', { name: 'x', teamId: team })).statusCode, 403)
    t.equal((await ctx.rest(marketing.token, 'GET', '/api/v1/assignment-rules')).statusCode, 200)
    const p = await ctx.gql(rep.token, UPSERT, { s: 'referral', i: { firstContactHours: 1 } })
    t.equal(p.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('follow-up policies: upsert creates with defaults, then changes only what is given', async (t) => {
    const first = await ctx.gql(manager.token, UPSERT, { s: 'referral', i: { firstContactHours: 24 } })
    t.match(first.data.upsertFollowUpPolicy, { created: true, policy: { source: 'referral', firstContactHours: 24, followUpDays: 7, dormantDays: 30, active: true, version: 1 } })
    const again = await ctx.gql(manager.token, UPSERT, { s: 'referral', i: { dormantDays: 60, expectedVersion: 1 } })
    t.match(again.data.upsertFollowUpPolicy, { created: false, policy: { firstContactHours: 24, dormantDays: 60, version: 2 } })
    const stale = await ctx.gql(manager.token, UPSERT, { s: 'referral', i: { dormantDays: 61, expectedVersion: 1 } })
    t.match(stale.data.upsertFollowUpPolicy.userErrors, [{ code: 'STALE_VERSION' }])
    const id = first.data.upsertFollowUpPolicy.policy.id
    t.match((await outbox(id)).map((e) => e.type), ['follow_up_policy.created', 'follow_up_policy.updated'])
    const list = await ctx.gql(rep.token, '{ followUpPolicies { source dormantDays } }')
    t.same(list.data.followUpPolicies, [{ source: 'referral', dormantDays: 60 }])
  })

  await t.test('follow-up policy bounds: hours and days must be positive and bounded', async (t) => {
    for (const i of [{ firstContactHours: 0 }, { firstContactHours: 721 }, { followUpDays: 0 }, { dormantDays: 4000 }, { followUpDays: 1.5 }]) {
      const r = await ctx.gql(manager.token, UPSERT, { s: 'website', i })
      t.match(r.data?.upsertFollowUpPolicy?.userErrors ?? r.errors, [{}], JSON.stringify(i))
    }
    const rest = await ctx.rest(manager.token, 'PUT', '/api/v1/follow-up-policies/website', { dormantDays: 0 })
    t.equal(rest.statusCode, 400)
    t.same((await ctx.gql(manager.token, '{ followUpPolicies { source } }')).data.followUpPolicies.map((p: { source: string }) => p.source), ['referral'])
  })

  await t.test("REST policies: PUT '*' creates (201) then updates (200); DELETE removes it", async (t) => {
    const created = await ctx.rest(manager.token, 'PUT', '/api/v1/follow-up-policies/*', { followUpDays: 3 })
    t.equal(created.statusCode, 201)
    t.match(created.json(), { source: '*', followUpDays: 3, firstContactHours: 72 })
    const updated = await ctx.rest(manager.token, 'PUT', '/api/v1/follow-up-policies/%2A', { followUpDays: 4 }, { 'if-match': '"1"' })
    t.equal(updated.statusCode, 200)
    t.equal(updated.headers.etag, '"2"')
    const list = await ctx.rest(rep.token, 'GET', '/api/v1/follow-up-policies')
    t.same(list.json().data.map((p: { source: string }) => p.source), ['*', 'referral'])
    t.equal((await ctx.rest(manager.token, 'DELETE', '/api/v1/follow-up-policies/*')).statusCode, 204)
    t.equal((await ctx.rest(manager.token, 'DELETE', '/api/v1/follow-up-policies/*')).statusCode, 404)
    const gql = await ctx.gql(manager.token, 'mutation { deleteFollowUpPolicy(source: "nope") { deletedId } }')
    t.equal(gql.errors?.[0].extensions?.code, 'NOT_FOUND')
  })
})
