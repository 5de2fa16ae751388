import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { ticketSlaScanJob } from '../../../src/jobs/ticket-sla-scan.job.js'

/**
 * Issue 17's "done when", end to end through the public API: a ticket opened by an integration,
 * routed, worked, breached and escalated, tracked by the customer, resolved, and followed by a
 * survey whose answer makes a task (a detractor) or a referrer (a promoter). The two background
 * jobs are run by hand at chosen times, as their queue would run them.
 */
const UE = 'userErrors { field message code }'
const MIN = 60_000
const ok = <T>(payload: T & { userErrors?: unknown[] }, what: string): T => {
  if (!payload || (payload.userErrors && payload.userErrors.length > 0)) throw new Error(`${what}: ${JSON.stringify(payload)}`)
  return payload
}

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const erp = await ctx.keyToken('integration')
  const team = await ctx.createTeam('售后一组')
  const manager = await ctx.staff('manager', { teamId: team, name: '王经理' })
  const agents = [await ctx.staff('service', { teamId: team }), await ctx.staff('service', { teamId: team })]
  const owner = await ctx.staff('sales', { teamId: team })

  // Configuration: every hour works (so the test can reason in wall-clock minutes), repairs go to the team's queue, an NPS survey follows a resolution.
  ok((await ctx.gql(admin, `mutation { updateWorkingCalendar(input: { workingDays: [1,2,3,4,5,6,7], intervals: [{ start: "00:00", end: "24:00" }] }) { calendar { workingDays } ${UE} } }`)).data.updateWorkingCalendar, 'calendar')
  ok((await ctx.gql(admin, `mutation($i: CreateTicketRoutingRuleInput!) { createTicketRoutingRule(input: $i) { rule { id } ${UE} } }`,
    { i: { name: '维修进售后一组', categories: ['repair'], queueTeamId: team } })).data.createTicketRoutingRule, 'routing rule')
  ok((await ctx.gql(admin, `mutation($i: CreateSurveyInput!) { createSurvey(input: $i) { survey { id } ${UE} } }`,
    { i: { name: '服务 NPS', kind: 'nps', questionZh: '您有多大可能把我们推荐给朋友？', trigger: 'ticket_resolved', channel: 'sms' } })).data.createSurvey, 'survey')

  const customerOf = async (name: string) => (await ctx.rest(owner.token, 'POST', '/api/v1/customers', { name })).json().id as string

  /** Opens a repair ticket as the ERP, works and resolves it; the survey it sets off, sent: its token. */
  async function serviceRound(customerId: string, t: Parameters<Parameters<typeof forEachDatabase>[1]>[0]) {
    const opened = await ctx.rest(erp, 'POST', '/api/v1/tickets', { customerId, channel: 'phone', category: 'repair', subject: '空调不制冷' }, { 'idempotency-key': `open-${customerId}` })
    t.equal(opened.statusCode, 201)
    const { ticket, trackingToken } = opened.json()
    t.equal(ticket.queueTeamId, team, 'routed to the repair queue')
    t.match(ticket.routedVia, /^rule:/)
    const agent = agents.find((a) => a.userId === ticket.assigneeId)!
    t.ok(agent, 'and to one of its agents, in turn')
    return { ticket, trackingToken, agent }
  }

  async function resolveAndSurvey(ticketId: string, agentToken: string, at: Date) {
    ok((await ctx.gql(agentToken, `mutation($id: ID!) { changeTicketStatus(id: $id, input: { status: resolved, note: "已更换电容" }) { ticket { status } ${UE} } }`, { id: ticketId })).data.changeTicketStatus, 'resolve')
    await ctx.app.services.surveys.dispatch(new Date(Math.max(at.getTime(), Date.now()) + 1000))
    const [sent] = await ctx.sql<{ data: { token: string; url: string } }>(
      "select e.data from outbox_events e join survey_invitations i on i.id = e.entity_id where e.type = 'survey.sent' and i.ticket_id = $1", [ticketId])
    return sent.data
  }

  await t.test('a detractor: opened, routed, breached and escalated, tracked, resolved, surveyed, followed up', async (t) => {
    const customerId = await customerOf('李女士')
    const { ticket, trackingToken, agent } = await serviceRound(customerId, t)
    ok((await ctx.gql(agent.token, `mutation($id: ID!) { changeTicketStatus(id: $id, input: { status: in_progress }) { ticket { id } ${UE} } }`, { id: ticket.id })).data.changeTicketStatus, 'start')

    // Five hours later nobody has answered: the 4-hour first-response target of a normal ticket is breached.
    const later = new Date(new Date(ticket.createdAt).getTime() + 5 * 60 * MIN)
    const scan = await ticketSlaScanJob.run(ctx.app.services, later)
    t.match(scan, { firstResponseBreaches: 1, escalated: 1 })
    const [breach] = await ctx.sql<{ data: Record<string, unknown> }>("select data from outbox_events where type = 'ticket.sla_breached' and entity_id = $1", [ticket.id])
    t.match(breach.data, { clock: 'first_response', managerId: manager.userId })
    const escalation = await ctx.rest(manager.token, 'GET', `/api/v1/tasks/${breach.data.taskId}`)
    t.match(escalation.json(), { assigneeId: manager.userId, origin: 'ticket_sla', customerId, status: 'open' })
    const breached = await ctx.rest(agent.token, 'GET', `/api/v1/tickets/${ticket.id}`)
    t.ok(breached.json().sla.firstResponseBreachedAt)

    // The customer follows it, is answered, and answers back.
    t.match((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${trackingToken}`)).json(), { status: 'in_progress', replies: [] })
    ok((await ctx.gql(agent.token, `mutation($id: ID!) { addTicketComment(ticketId: $id, input: { visibility: public, body: "师傅明天上午上门" }) { comment { id } ${UE} } }`, { id: ticket.id })).data.addTicketComment, 'reply')
    t.equal((await ctx.rest(null, 'POST', `/api/v1/public/tickets/${trackingToken}/replies`, { body: '好的，上午在家' })).statusCode, 201)
    t.same((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${trackingToken}`)).json().replies.map((r: { from: string }) => r.from), ['staff', 'customer'])

    const survey = await resolveAndSurvey(ticket.id, agent.token, new Date())
    t.equal((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${trackingToken}`)).json().status, 'resolved')
    t.equal((await ctx.rest(null, 'GET', survey.url)).statusCode, 200)
    const answers = await Promise.all([3, 4].map((score) => ctx.rest(null, 'POST', survey.url, { score, comment: '等太久了' })))
    t.same(answers.map((a) => a.statusCode).sort(), [201, 409], 'two answers to one invitation: exactly one counted')
    const [counted] = await ctx.sql<{ n: number }>('select count(*)::int as n from survey_responses where ticket_id = $1', [ticket.id])
    t.equal(counted.n, 1)
    const [detractor] = await ctx.sql<{ data: { taskId: string; assigneeId: string } }>(
      "select e.data from outbox_events e join survey_responses r on r.id = e.entity_id where e.type = 'survey.detractor' and r.ticket_id = $1", [ticket.id])
    t.equal(detractor.data.assigneeId, agent.userId, "the follow-up goes to the ticket's agent")
    const followUp = await ctx.rest(agent.token, 'GET', `/api/v1/tasks/${detractor.data.taskId}`)
    t.match(followUp.json(), { origin: 'survey_detractor', customerId, status: 'open' })
  })

  await t.test('a promoter: resolved, surveyed, invited to refer (once)', async (t) => {
    const customerId = await customerOf('张先生')
    const { ticket, agent } = await serviceRound(customerId, t)
    ok((await ctx.gql(agent.token, `mutation($id: ID!) { addTicketComment(ticketId: $id, input: { visibility: public, body: "已远程处理" }) { comment { id } ${UE} } }`, { id: ticket.id })).data.addTicketComment, 'reply')
    const survey = await resolveAndSurvey(ticket.id, agent.token, new Date())
    t.equal((await ctx.rest(null, 'POST', survey.url, { score: 10, comment: '非常专业' })).statusCode, 201)
    const [promoter] = await ctx.sql<{ data: { referrerId: string | null } }>(
      "select e.data from outbox_events e join survey_responses r on r.id = e.entity_id where e.type = 'survey.promoter' and r.ticket_id = $1", [ticket.id])
    t.equal(promoter.data.referrerId, null, 'not a referrer yet')
    const INVITE = `mutation($c: ID!) { inviteReferrer(customerId: $c) { referrer { id kind code } created ${UE} } }`
    const first = ok((await ctx.gql(owner.token, INVITE, { c: customerId })).data.inviteReferrer, 'invite')
    t.match(first, { created: true, referrer: { kind: 'customer' } })
    t.ok(first.referrer.code)
    const again = ok((await ctx.gql(owner.token, INVITE, { c: customerId })).data.inviteReferrer, 'invite again')
    t.match(again, { created: false, referrer: { id: first.referrer.id } })
    const nps = await ctx.gql(owner.token, 'query($c: ID!) { customer(id: $c) { satisfaction { latestNps } } }', { c: customerId })
    t.equal(nps.data.customer.satisfaction.latestNps, 10)
  })
})
