import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const RULE = 'id name priority active categories priorities channels customerTiers assignee { id } queueTeam { id } version'
const CREATE = `mutation($i: CreateTicketRoutingRuleInput!) { createTicketRoutingRule(input: $i) { rule { ${RULE} } userErrors { field code message } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateTicketRoutingRuleInput!) { updateTicketRoutingRule(id: $id, input: $i) { rule { ${RULE} } userErrors { field code } } }`
const DELETE = 'mutation($id: ID!, $v: Int) { deleteTicketRoutingRule(id: $id, expectedVersion: $v) { deletedId userErrors { field code } } }'
const RULES = `{ ticketRoutingRules { ${RULE} } }`
const PREVIEW = `query($f: TicketRoutingFactsInput!) { previewTicketRouting(facts: $f) {
  assignee { id } queueTeam { id } via rule { id name } reason explanation rules { ruleId name matched why } } }`
const NOBODY = '01900000-0000-7000-8000-000000000000'

await forEachDatabase(t, async (t, ctx) => {
  const senior = await ctx.createTeam('Senior service')
  const general = await ctx.createTeam('General service')
  const admin = ctx.adminToken
  const lead = await ctx.staff('service', { teamId: senior, name: 'Senior agent 1' })
  await ctx.staff('service', { teamId: senior, name: 'Senior agent 2' })
  const agent = await ctx.staff('service', { teamId: general, name: 'General agent' })
  const manager = await ctx.staff('manager', { teamId: general })
  const rep = await ctx.staff('sales', { teamId: general })
  const referrerToken = await ctx.keyToken('referrer').catch(() => null)
  const gone = await ctx.staff('service', { teamId: general, name: 'Gone agent' })
  await ctx.gql(admin, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { userErrors { code } } }', { id: gone.userId })
  const outbox = (id: string) => ctx.sql<{ type: string; data: Record<string, unknown> }>('select type, data from outbox_events where entity_id = $1 order by id', [id])

  let seniorRule = ''
  await t.test('a service agent creates an A-tier rule to the senior queue and an agent rule; they list in priority order', async (t) => {
    const a = await ctx.gql(lead.token, CREATE, { i: { name: 'A tier to seniors', priority: 10, customerTiers: ['A'], queueTeamId: senior } })
    t.same(a.data.createTicketRoutingRule.userErrors, [])
    t.match(a.data.createTicketRoutingRule.rule, { name: 'A tier to seniors', priority: 10, active: true, customerTiers: ['A'], queueTeam: { id: senior }, assignee: null, version: 1 })
    seniorRule = a.data.createTicketRoutingRule.rule.id
    // Inline arguments, as well as variables.
    const b = await ctx.gql(admin, `mutation { createTicketRoutingRule(input: { name: "Urgent complaints", priority: 20, categories: ["complaint"],
      priorities: ["urgent"], channels: ["phone", "wechat"], assigneeId: "${manager.userId}" }) { rule { ${RULE} } userErrors { field code } } }`)
    t.same(b.data.createTicketRoutingRule.userErrors, [])
    t.match(b.data.createTicketRoutingRule.rule, { categories: ['complaint'], priorities: ['urgent'], channels: ['phone', 'wechat'], assignee: { id: manager.userId } })
    const list = await ctx.gql(rep.token, RULES)
    t.same(list.data.ticketRoutingRules.map((r: { name: string }) => r.name), ['A tier to seniors', 'Urgent complaints'])
    t.match(await outbox(seniorRule), [{ type: 'ticket_routing_rule.created', data: { rule: { id: seniorRule, queueTeamId: senior } } }])
    t.same(await ctx.sql('select action, actor_id from audit_entries where entity_id = $1', [seniorRule]), [{ action: 'ticket_routing_rule.created', actor_id: lead.userId }])
  })

  await t.test('refuses a rule without exactly one target, naming an unknown, inactive or non-service user, an unknown team or category', async (t) => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'No target' }, 'assigneeId', 'ONE_TARGET'],
      [{ name: 'Both', assigneeId: agent.userId, queueTeamId: general }, 'assigneeId', 'ONE_TARGET'],
      [{ name: 'Unknown user', assigneeId: NOBODY }, 'assigneeId', 'UNKNOWN_USER'],
      [{ name: 'Inactive', assigneeId: gone.userId }, 'assigneeId', 'INACTIVE_USER'],
      [{ name: 'Sales rep', assigneeId: rep.userId }, 'assigneeId', 'CANNOT_WORK_TICKETS'],
      [{ name: 'Unknown team', queueTeamId: NOBODY }, 'queueTeamId', 'UNKNOWN_REFERENCE'],
      [{ name: 'Unknown category', queueTeamId: general, categories: ['no-such'] }, 'categories', 'UNKNOWN_CATEGORY'],
      [{ name: 'Bad priority', queueTeamId: general, priorities: ['asap'] }, 'priorities.0', 'ENUM'],
      [{ name: 'Bad slug', queueTeamId: general, categories: ['Not A Slug'] }, 'categories.0', 'PATTERN']
    ]
    for (const [i, field, code] of cases) {
      const r = await ctx.gql(admin, CREATE, { i })
      t.equal(r.data.createTicketRoutingRule.rule, null, String(i.name))
      t.match(r.data.createTicketRoutingRule.userErrors[0], { field: new RegExp(`^${field.replace('.', '\\.')}`) }, `${i.name}: field`)
      if (!['ENUM', 'PATTERN'].includes(code)) t.match(r.data.createTicketRoutingRule.userErrors, [{ field, code }], String(i.name))
    }
    const categoryMessage = (await ctx.gql(admin, CREATE, { i: { name: 'x', queueTeamId: general, categories: ['nope'] } })).data.createTicketRoutingRule.userErrors[0].message
    t.match(categoryMessage, /name no ticket category: nope \(known: .*complaint.*\)/)
    const rest = await ctx.rest(admin, 'POST', '/api/v1/ticket-routing-rules', { name: 'REST none' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'assigneeId', code: 'ONE_TARGET' }] })
    const badTier = await ctx.rest(admin, 'POST', '/api/v1/ticket-routing-rules', { name: 'REST tier', queueTeamId: general, customerTiers: ['Z'] })
    t.equal(badTier.statusCode, 400)
    const zh = await ctx.rest(admin, 'POST', '/api/v1/ticket-routing-rules', { name: 'REST zh', assigneeId: rep.userId }, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors, [{ field: 'assigneeId', message: /不能处理工单/ }])
    const names = (await ctx.gql(admin, RULES)).data.ticketRoutingRules.map((r: { name: string }) => r.name)
    t.same(names, ['A tier to seniors', 'Urgent complaints'], 'nothing else was written')
  })

  await t.test('writes need write reach over every ticket: a manager, a sales rep and a read-only key are refused; a referrer cannot even read', async (t) => {
    for (const token of [manager.token, rep.token, await ctx.keyToken('service', { readOnly: true })]) {
      const r = await ctx.gql(token, CREATE, { i: { name: 'Nope', queueTeamId: general } })
      t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    }
    t.equal((await ctx.rest(manager.token, 'POST', '/api/v1/ticket-routing-rules', { name: 'Nope', queueTeamId: general })).statusCode, 403)
    t.equal((await ctx.rest(rep.token, 'GET', '/api/v1/ticket-routing-rules')).statusCode, 200)
    if (referrerToken) t.equal((await ctx.gql(referrerToken, RULES)).errors?.[0].extensions?.code, 'FORBIDDEN')
    const integration = await ctx.keyToken('integration')
    const ok = await ctx.gql(integration, CREATE, { i: { name: 'Integration rule', priority: 500, active: false, queueTeamId: general } })
    t.same(ok.data.createTicketRoutingRule.userErrors, [])
    await ctx.gql(admin, DELETE, { id: ok.data.createTicketRoutingRule.rule.id })
  })

  await t.test('previewTicketRouting explains the decision and moves no rotation', async (t) => {
    const facts = { category: 'repair', priority: 'normal', channel: 'phone', customerTier: 'A' }
    const a = await ctx.gql(rep.token, PREVIEW, { f: facts })
    t.match(a.data.previewTicketRouting, { via: 'rule', queueTeam: { id: senior }, rule: { id: seniorRule }, reason: 'rule:A tier to seniors', rules: [{ ruleId: seniorRule, matched: true }] })
    t.ok(a.data.previewTicketRouting.assignee, 'a senior agent')
    const again = await ctx.gql(rep.token, PREVIEW, { f: facts })
    t.same(again.data.previewTicketRouting.assignee, a.data.previewTicketRouting.assignee, 'the rotation did not move')
    const inline = await ctx.gql(rep.token, '{ previewTicketRouting(facts: { category: "complaint", priority: "urgent", channel: "wechat", customerTier: B }) { assignee { id } via reason rules { matched why } } }')
    t.match(inline.data.previewTicketRouting, { assignee: { id: manager.userId }, via: 'rule', reason: 'rule:Urgent complaints', rules: [{ matched: false, why: 'customer tier "B" is not in [A]' }, { matched: true }] })
    const none = await ctx.rest(agent.token, 'POST', '/api/v1/ticket-routing-rules/preview', { category: 'general', channel: 'email' })
    t.equal(none.statusCode, 200)
    t.match(none.json(), { via: 'round_robin', reason: 'round_robin:global', queueTeamId: null, explanation: /no rule matched/ })
    const bad = await ctx.gql(rep.token, PREVIEW, { f: { category: 'repair', channel: 'fax' } })
    t.ok(bad.errors?.length, 'a bad channel is an error, not a 500')
    t.notOk(bad.errors?.some((e) => e.extensions?.code === 'INTERNAL'))
  })

  await t.test('updates with expectedVersion (STALE_VERSION, If-Match 412), switches target, deletes (REST 204 then 404)', async (t) => {
    const r = await ctx.gql(admin, CREATE, { i: { name: 'To switch', priority: 300, assigneeId: agent.userId } })
    const rule = r.data.createTicketRoutingRule.rule
    t.match((await ctx.gql(admin, UPDATE, { id: rule.id, i: { priority: 5, expectedVersion: 9 } })).data.updateTicketRoutingRule.userErrors, [{ code: 'STALE_VERSION' }])
    t.match((await ctx.gql(admin, UPDATE, { id: rule.id, i: { queueTeamId: general } })).data.updateTicketRoutingRule.userErrors, [{ code: 'ONE_TARGET' }])
    const ok = await ctx.gql(admin, UPDATE, { id: rule.id, i: { queueTeamId: general, assigneeId: null, active: false, expectedVersion: 1 } })
    t.match(ok.data.updateTicketRoutingRule.rule, { queueTeam: { id: general }, assignee: null, active: false, version: 2 })
    t.match((await outbox(rule.id)).at(-1), { type: 'ticket_routing_rule.updated', data: { changes: { active: { from: true, to: false }, queueTeamId: { to: general } } } })
    t.equal((await ctx.rest(admin, 'PATCH', `/api/v1/ticket-routing-rules/${rule.id}`, { priority: 7 }, { 'if-match': '"1"' })).statusCode, 412)
    const restOk = await ctx.rest(admin, 'PATCH', `/api/v1/ticket-routing-rules/${rule.id}`, { priority: 7 }, { 'if-match': '"2"' })
    t.equal(restOk.statusCode, 200)
    t.equal(restOk.headers.etag, '"3"')
    t.same((await ctx.gql(admin, DELETE, { id: rule.id, v: 3 })).data.deleteTicketRoutingRule, { deletedId: rule.id, userErrors: [] })
    t.match((await outbox(rule.id)).at(-1), { type: 'ticket_routing_rule.deleted' })
    t.equal((await ctx.rest(admin, 'GET', `/api/v1/ticket-routing-rules/${rule.id}`)).statusCode, 404)
    t.equal((await ctx.rest(admin, 'DELETE', `/api/v1/ticket-routing-rules/${rule.id}`)).statusCode, 404)
    t.equal((await ctx.rest(admin, 'GET', '/api/v1/ticket-routing-rules/not-a-uuid')).statusCode, 400)
  })
})
