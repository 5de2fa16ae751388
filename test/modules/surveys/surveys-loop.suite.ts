import t from 'tap'
import { scheduleSurveys } from '../../../src/modules/surveys/survey-scheduling.js'
import { runAction } from '../../../src/db/action.js'
import { actionContext, systemActor } from '../../../src/modules/auth/actor.js'
import { loadWorkingCalendar } from '../../../src/modules/tickets/sla/calendar.repository.js'
import { addBusinessMinutes } from '../../../src/rules/business-hours.js'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createSurvey, eventsOfType, INVITE, invitationsOf, publicAnswer, sentInvitation } from './support.js'

const TASKS = 'query($c: ID!) { tasks(filter: { customerId: $c }) { edges { node { id title description origin priority dueAt status assignee { id } customer { id } } } } }'

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam('East')
  const teamB = await ctx.createTeam('West')
  const rep = await ctx.staff('sales', { teamId: teamA })
  const mate = await ctx.staff('sales', { teamId: teamA })
  const stranger = await ctx.staff('sales', { teamId: teamB })
  const agent = await ctx.staff('service', { teamId: teamA })
  const nps = await createSurvey(ctx, { kind: 'nps', cooldownDays: 0 })
  const calendar = await loadWorkingCalendar(ctx.app.db, ctx.app.config.REPORTING_TIMEZONE)

  await t.test('a detractor (NPS 0–6) gets a follow-up task for the customer’s owner, due one business day later, and survey.detractor', async (t) => {
    const customer = await createCustomer(ctx, { name: '吴九', ownerId: rep.userId })
    const { token } = await sentInvitation(ctx, nps.id, customer.id)
    t.equal((await publicAnswer(ctx, token, { score: 3, comment: '等了太久' })).statusCode, 201)
    const [response] = await ctx.sql<{ id: string; answered_at: Date }>('select id, answered_at from survey_responses where customer_id = $1', [customer.id])
    const tasks = (await ctx.gql(rep.token, TASKS, { c: customer.id })).data.tasks.edges.map((e: { node: unknown }) => e.node)
    t.match(tasks, [{ origin: 'survey_detractor', priority: 'high', status: 'open', description: '等了太久', assignee: { id: rep.userId }, customer: { id: customer.id }, title: /吴九.*NPS 3/ }])
    // Business hours: 09:00–12:00 and 13:00–18:00 on working days, in REPORTING_TIMEZONE.
    t.equal(tasks[0].dueAt, addBusinessMinutes(calendar, new Date(response.answered_at), 480).toISOString())
    const [detractor] = await eventsOfType(ctx, 'survey.detractor', response.id)
    t.match(detractor.data, { response: { id: response.id, score: 3, category: 'detractor', customerId: customer.id }, taskId: tasks[0].id, assigneeId: rep.userId })
    t.same(await eventsOfType(ctx, 'survey.promoter', response.id), [])
    t.same((await ctx.sql<{ type: string }>('select type from outbox_events where entity_id = $1 order by id', [response.id])).map((e) => e.type), ['survey.answered', 'survey.detractor'])
  })

  await t.test('a CSAT 1–2 after a resolved ticket is a detractor too; its task goes to the ticket’s agent', async (t) => {
    const csat = await createSurvey(ctx, { kind: 'csat', trigger: 'ticket_resolved', cooldownDays: 0 })
    const customer = await createCustomer(ctx, { ownerId: rep.userId })
    const [ticket] = await ctx.sql<{ id: string }>(`insert into tickets (id, customer_id, channel, category, subject, tracking_token_hash)
      values (gen_random_uuid(), $1, 'phone', 'general', 'Slow', md5(random()::text)) returning id`, [customer.id])
    await runAction(ctx.app.db, actionContext(systemActor), (action) => scheduleSurveys(action,
      { kind: 'ticket_resolved', sourceId: ticket.id, customerId: customer.id, agentId: agent.userId, at: new Date() }, new Date()))
    const [invitation] = await invitationsOf(ctx, customer.id)
    await ctx.app.services.surveys.dispatch(new Date(Date.now() + 1000))
    const [{ data }] = await eventsOfType(ctx, 'survey.sent', invitation.id)
    t.equal((await publicAnswer(ctx, data.token, { score: 2 })).statusCode, 201)
    const tasks = (await ctx.gql(ctx.adminToken, TASKS, { c: customer.id })).data.tasks.edges
    t.match(tasks, [{ node: { origin: 'survey_detractor', assignee: { id: agent.userId } } }])
    const [row] = await ctx.sql('select ticket_id, agent_id from survey_responses where customer_id = $1', [customer.id])
    t.same(row, { ticket_id: ticket.id, agent_id: agent.userId })
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateSurvey(id: $id, input: { active: false }) { userErrors { code } } }', { id: csat.id })
  })

  await t.test('a passive answer sets off nothing; a promoter (NPS 9–10) emits survey.promoter with the customer’s referrer, if any', async (t) => {
    const customer = await createCustomer(ctx, { ownerId: rep.userId, phone: '13800001111' })
    const passive = await sentInvitation(ctx, nps.id, customer.id)
    await publicAnswer(ctx, passive.token, { score: 8 })
    const promoter = await sentInvitation(ctx, nps.id, customer.id)
    await publicAnswer(ctx, promoter.token, { score: 10, comment: '很好' })
    const rows = await ctx.sql<{ id: string; score: number }>('select id, score from survey_responses where customer_id = $1 order by answered_at', [customer.id])
    t.same(rows.map((r) => r.score), [8, 10])
    t.same((await ctx.sql<{ type: string }>('select type from outbox_events where entity_id = $1', [rows[0].id])).map((e) => e.type), ['survey.answered'])
    t.match(await eventsOfType(ctx, 'survey.promoter', rows[1].id), [{ data: { response: { score: 10, category: 'promoter', customerId: customer.id }, referrerId: null } }])
    t.same((await ctx.gql(ctx.adminToken, TASKS, { c: customer.id })).data.tasks.edges, [])

    const first = await ctx.gql(rep.token, INVITE, { c: customer.id })
    t.same(first.data.inviteReferrer.userErrors, [])
    t.equal(first.data.inviteReferrer.created, true)
    const referrer = first.data.inviteReferrer.referrer
    t.match(referrer, { kind: 'customer', customer: { id: customer.id }, owner: { id: rep.userId }, name: customer.name, code: /^[A-Z0-9-]{4,}$/ })
    const again = await ctx.gql(mate.token, `mutation { inviteReferrer(customerId: "${customer.id}") { referrer { id code } created userErrors { code } } }`)
    t.same(again.data.inviteReferrer, { referrer: { id: referrer.id, code: referrer.code }, created: false, userErrors: [] }, 'idempotent: the same referrer and code')
    const stored = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/${referrer.id}`)).json()
    t.match(stored, { phone: '13800001111' }, 'the referrer takes the customer’s contact')
    t.same((await ctx.sql<{ action: string }>('select action from audit_entries where entity_id = $1', [referrer.id])).map((a) => a.action), ['referrer.created'])

    const next = await sentInvitation(ctx, nps.id, customer.id)
    await publicAnswer(ctx, next.token, { score: 9 })
    const [latest] = await ctx.sql<{ id: string }>('select id from survey_responses where customer_id = $1 order by answered_at desc limit 1', [customer.id])
    t.match(await eventsOfType(ctx, 'survey.promoter', latest.id), [{ data: { referrerId: referrer.id } }], 'the next promoter event names the referrer')
  })

  await t.test('REST POST /customers/{id}/referrer: 201 then 200 with the same referrer; concurrent calls make one', async (t) => {
    const customer = await createCustomer(ctx, { ownerId: rep.userId })
    const calls = await Promise.all([0, 1, 2].map(() => ctx.rest(rep.token, 'POST', `/api/v1/customers/${customer.id}/referrer`)))
    t.same(calls.map((c) => c.statusCode).sort(), [200, 200, 201])
    t.equal(new Set(calls.map((c) => c.json().id)).size, 1)
    t.equal((await ctx.sql('select 1 from referrers where customer_id = $1', [customer.id])).length, 1)
    t.equal((await ctx.rest(rep.token, 'POST', `/api/v1/customers/${customer.id}/referrer`)).statusCode, 200)
  })

  await t.test('inviteReferrer: another team’s customer is not found; roles without referrers write are forbidden; a taken phone is DUPLICATE', async (t) => {
    const customer = await createCustomer(ctx, { ownerId: rep.userId, phone: '13800002222' })
    t.match((await ctx.gql(stranger.token, INVITE, { c: customer.id })).errors, [{ extensions: { code: 'NOT_FOUND' } }])
    t.equal((await ctx.rest(stranger.token, 'POST', `/api/v1/customers/${customer.id}/referrer`)).statusCode, 404)
    t.match((await ctx.gql(agent.token, INVITE, { c: customer.id })).errors, [{ extensions: { code: 'FORBIDDEN' } }])
    t.match((await ctx.gql(ctx.adminToken, INVITE, { c: 'nope' })).errors, [{ extensions: { code: 'NOT_FOUND' } }])
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers/nope/referrer')).statusCode, 400)
    await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'Same phone', phone: '13800002222' })
    const dup = await ctx.gql(rep.token, INVITE, { c: customer.id })
    t.match(dup.data.inviteReferrer, { referrer: null, userErrors: [{ field: 'phone', code: 'DUPLICATE' }] })
    t.same(await ctx.sql('select 1 from referrers where customer_id = $1', [customer.id]), [])
  })
})
