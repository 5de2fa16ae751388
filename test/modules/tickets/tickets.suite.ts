import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { COMMENT, CREATE, MIN, STATUS, UPDATE, customer, move, ms, openTicket, roundTheClock } from './ticket-fixtures.js'

await forEachDatabase(t, async (t, ctx) => {
  await roundTheClock(ctx)
  const integration = await ctx.keyToken('integration')
  const agent = await ctx.staff('service')
  const agent2 = await ctx.staff('service')

  await t.test('an integration opens a ticket over REST: 201, Location, the tracking token once, SLA clocks started', async (t) => {
    const customerId = await customer(ctx, integration)
    const body = { customerId, channel: 'wechat', category: 'repair', priority: 'high', subject: '热水器漏水', description: '厨房' }
    const r = await ctx.rest(integration, 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'ticket-open-1' })
    t.equal(r.statusCode, 201)
    const { ticket, trackingToken } = r.json()
    t.match(r.headers.location, `/api/v1/tickets/${ticket.id}`)
    t.match(trackingToken, /^[A-Za-z0-9_-]{43}$/)
    t.equal(ticket.status, 'open')
    t.equal(ticket.routedVia, 'round_robin:global', 'no rule: the next active service agent')
    t.ok([agent.userId, agent2.userId].includes(ticket.assigneeId))
    t.same([ticket.sla.firstResponseMinutes, ticket.sla.resolutionMinutes], [60, 480])
    t.equal(ms(ticket.sla.firstResponseDueAt) - ms(ticket.createdAt), 60 * MIN)
    t.equal(ms(ticket.sla.resolutionDueAt) - ms(ticket.createdAt), 480 * MIN)
    t.notOk('trackingTokenHash' in ticket)
    const replay = await ctx.rest(integration, 'POST', '/api/v1/tickets', body, { 'idempotency-key': 'ticket-open-1' })
    t.equal(replay.json().ticket.id, ticket.id, 'a retry with the same key answers the first result')
    const [stored] = await ctx.sql<{ n: number }>('select count(*)::int as n from tickets where customer_id = $1', [customerId])
    t.equal(stored.n, 1)
    const [hash] = await ctx.sql<{ tracking_token_hash: string }>('select tracking_token_hash from tickets where id = $1', [ticket.id])
    t.not(hash.tracking_token_hash, trackingToken, 'only the hash is stored')
    const events = await ctx.sql<{ type: string }>("select type from outbox_events where entity_id = $1 order by occurred_at", [ticket.id])
    t.same(events.map((e) => e.type), ['ticket.created'])
    const history = await ctx.rest(integration, 'GET', `/api/v1/tickets/${ticket.id}/history`)
    t.match(history.json().data, [{ fromStatus: null, toStatus: 'open', actorType: 'api_key' }])
  })

  await t.test('bad input is a typed error naming the field, inline and as variables, and changes nothing', async (t) => {
    const customerId = await customer(ctx, integration)
    const other = await customer(ctx, integration)
    const order = await ctx.rest(integration, 'POST', '/api/v1/orders', { customerId: other, amount: { amount: 100 }, paidAt: new Date().toISOString() })
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ category: 'nonsense' }, 'category', 'UNKNOWN_CATEGORY'],
      [{ customerId: '0190a0a0-0000-7000-8000-000000000000' }, 'customerId', 'UNKNOWN_CUSTOMER'],
      [{ assigneeId: (await ctx.staff('sales')).userId }, 'assigneeId', 'CANNOT_WORK_TICKETS'],
      [{ queueTeamId: '0190a0a0-0000-7000-8000-000000000000' }, 'queueTeamId', 'UNKNOWN_TEAM'],
      ...(order.statusCode === 201 ? [[{ orderId: order.json().id }, 'orderId', 'UNKNOWN_ORDER'] as [Record<string, unknown>, string, string]] : [])
    ]
    for (const [patch, field, code] of cases) {
      const r = await ctx.gql(integration, CREATE, { i: { customerId, channel: 'phone', category: 'repair', subject: 'x', ...patch } })
      t.match(r.data.createTicket, { ticket: null, userErrors: [{ field, code }] }, `${field}: ${code}`)
    }
    const inline = await ctx.gql(integration, `mutation { createTicket(input: { customerId: "${customerId}", channel: fax, category: "repair", subject: "x" }) { ticket { id } } }`)
    t.ok(inline.errors?.length, 'an unknown channel literal is a GraphQL validation error')
    const empty = await ctx.gql(integration, CREATE, { i: { customerId, channel: 'phone', category: 'repair', subject: '' } })
    t.match(empty.data?.createTicket?.userErrors ?? empty.errors, [{}])
    const rest = await ctx.rest(integration, 'POST', '/api/v1/tickets', { customerId, channel: 'phone', category: 'repair', subject: 'x', priority: 'critical' })
    t.equal(rest.statusCode, 400)
    t.equal(rest.headers['content-type'], 'application/problem+json; charset=utf-8')
    const huge = await ctx.rest(integration, 'POST', '/api/v1/tickets', { customerId, channel: 'phone', category: 'repair', subject: 'x'.repeat(301) })
    t.equal(huge.statusCode, 400)
    const [n] = await ctx.sql<{ n: number }>('select count(*)::int as n from tickets where customer_id = $1', [customerId])
    t.equal(n.n, 0)
  })

  await t.test('the lifecycle: worked, paused while waiting for the customer, resolved, closed, reopened inside the window only', async (t) => {
    const customerId = await customer(ctx, integration)
    const { ticket } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
    t.equal(ticket.routedVia, 'manual')
    const started = await move(ctx, agent.token, ticket.id, 'in_progress')
    t.same(started.userErrors, [])
    const waiting = await move(ctx, agent.token, ticket.id, 'waiting_customer', '等客户提供照片')
    t.equal(waiting.ticket.sla.paused, true)
    t.equal(waiting.ticket.sla.resolutionDueAt, null, 'no due time while the clock is paused')
    await new Promise((r) => setTimeout(r, 30))
    const resumed = await move(ctx, agent.token, ticket.id, 'in_progress')
    t.ok(ms(resumed.ticket.sla.resolutionDueAt) > ms(ticket.sla.resolutionDueAt), 'the pause moved the due time later')
    const resolved = await move(ctx, agent.token, ticket.id, 'resolved')
    t.ok(resolved.ticket.resolvedAt)
    t.equal(resolved.ticket.sla.resolutionBusinessMinutes, 0)
    t.equal(resolved.ticket.sla.resolutionDueAt, null, 'stopped short of its target')
    const closed = await move(ctx, agent.token, ticket.id, 'closed')
    t.ok(closed.ticket.closedAt)
    const back = await move(ctx, agent.token, ticket.id, 'resolved')
    t.match(back.userErrors, [{ field: 'status', code: 'INVALID_TRANSITION' }])
    const reopened = await move(ctx, agent.token, ticket.id, 'in_progress')
    t.same(reopened.userErrors, [])
    t.equal(reopened.ticket.reopenCount, 1)
    t.equal(reopened.ticket.resolvedAt, null)
    await move(ctx, agent.token, ticket.id, 'resolved')
    await ctx.sql("update tickets set resolved_at = now() - interval '8 days' where id = $1", [ticket.id])
    const late = await move(ctx, agent.token, ticket.id, 'in_progress')
    t.match(late.userErrors, [{ code: 'INVALID_TRANSITION', message: /within 7 days/ }])
    const same = await move(ctx, agent.token, ticket.id, 'resolved')
    t.match(same.userErrors, [{ code: 'INVALID_TRANSITION' }])
    const history = await ctx.sql<{ to_status: string; actor_id: string }>('select to_status, actor_id from ticket_status_changes where ticket_id = $1 order by at, id', [ticket.id])
    t.same(history.map((h) => h.to_status), ['open', 'in_progress', 'waiting_customer', 'in_progress', 'resolved', 'closed', 'in_progress', 'resolved'])
    t.ok(history.slice(1).every((h) => h.actor_id === agent.userId), 'who made each change')
    const events = await ctx.sql<{ type: string }>("select type from outbox_events where entity_id = $1 and type like 'ticket.%' order by occurred_at, id", [ticket.id])
    t.equal(events.filter((e) => e.type === 'ticket.status_changed').length, 7)
    t.equal(events.filter((e) => e.type === 'ticket.resolved').length, 2)
  })

  await t.test('two agents resolving the same ticket at once: one wins, the other gets INVALID_TRANSITION', async (t) => {
    const customerId = await customer(ctx, integration)
    for (let round = 0; round < 3; round++) {
      const { ticket } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
      const answers = await Promise.all([agent, agent2].map((a) => ctx.gql(a.token, STATUS, { id: ticket.id, i: { status: 'resolved' } })))
      const ok = answers.filter((a) => a.data.changeTicketStatus.ticket)
      t.equal(ok.length, 1)
      t.match(answers.find((a) => !a.data.changeTicketStatus.ticket)?.data.changeTicketStatus.userErrors, [{ code: 'INVALID_TRANSITION' }])
      const [n] = await ctx.sql<{ n: number }>("select count(*)::int as n from ticket_status_changes where ticket_id = $1 and to_status = 'resolved'", [ticket.id])
      t.equal(n.n, 1)
    }
  })

  await t.test('comments: internal notes stay inside, public replies reach the tracking page; both join the timeline', async (t) => {
    const customerId = await customer(ctx, integration)
    const { ticket, token } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
    const note = await ctx.gql(agent.token, COMMENT, { id: ticket.id, i: { visibility: 'internal', body: '客户脾气急' } })
    t.same(note.data.addTicketComment.userErrors, [])
    t.equal(note.data.addTicketComment.ticket.sla.firstRespondedAt, null, 'an internal note is not a response')
    const blank = await ctx.gql(agent.token, COMMENT, { id: ticket.id, i: { visibility: 'public', body: '   ' } })
    t.match(blank.data?.addTicketComment?.userErrors ?? blank.errors, [{}], 'a blank reply is refused')
    const reply = await ctx.gql(agent.token, COMMENT, { id: ticket.id, i: { visibility: 'public', body: '师傅明天上午到' } })
    const after = reply.data.addTicketComment.ticket
    t.ok(after.sla.firstRespondedAt)
    t.equal(after.sla.firstResponseDueAt, null, 'answered before the target')
    t.equal(after.sla.firstResponseBusinessMinutes, 0)
    const page = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)
    t.equal(page.statusCode, 200)
    t.same(page.json().replies.map((r: { from: string; body: string }) => [r.from, r.body]), [['staff', '师傅明天上午到']])
    t.same(Object.keys(page.json()).sort(), ['category', 'createdAt', 'expectedResolutionAt', 'replies', 'resolvedAt', 'status', 'subject', 'updatedAt'])
    const timeline = await ctx.sql<{ direction: string }>('select direction from activities where customer_id = $1 order by occurred_at', [customerId])
    t.same(timeline.map((a) => a.direction), ['internal', 'outbound'])
    const events = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where entity_id = $1 and type = 'ticket.comment_added'", [ticket.id])
    t.equal(events[0].n, 1, 'only the public reply is an event')
    const list = await ctx.rest(agent.token, 'GET', `/api/v1/tickets/${ticket.id}/comments?visibility=internal`)
    t.same(list.json().data.map((c: { body: string }) => c.body), ['客户脾气急'])
  })

  await t.test('a new priority takes its targets; the time worked still counts', async (t) => {
    const customerId = await customer(ctx, integration)
    const { ticket } = await openTicket(ctx, integration, { customerId, priority: 'low' })
    const r = await ctx.gql(agent.token, UPDATE, { id: ticket.id, i: { priority: 'urgent' } })
    const after = r.data.updateTicket.ticket
    t.same([after.sla.firstResponseMinutes, after.sla.resolutionMinutes], [30, 240])
    t.equal(ms(after.sla.resolutionDueAt) - ms(ticket.createdAt), 240 * MIN)
    const stale = await ctx.rest(agent.token, 'PATCH', `/api/v1/tickets/${ticket.id}`, { subject: 'y' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
  })

  await t.test("merging customers moves the duplicate's tickets to the survivor", async (t) => {
    const survivor = await customer(ctx, integration, '合并主客户')
    const duplicate = await customer(ctx, integration, '合并重复客户')
    const { ticket, token } = await openTicket(ctx, integration, { customerId: duplicate })
    const merged = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { moved userErrors { code } } }', { s: survivor, m: [duplicate] })
    t.match(merged.data.mergeCustomers.moved, { tickets: 1 })
    const after = await ctx.gql(agent.token, 'query($id: ID!) { ticket(id: $id) { customerId customer { id } } }', { id: ticket.id })
    t.same(after.data.ticket, { customerId: survivor, customer: { id: survivor } })
    t.equal((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)).statusCode, 200, 'the customer keeps following it')
  })

  await t.test('a ticket_resolved incentive rule pays the customer once, through changeTicketStatus, even after a reopen', async (t) => {
    const rule = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/incentive-rules',
      { name: 'Resolved points', trigger: 'ticket_resolved', calc: 'points', rewardType: 'points', amount: 5, beneficiary: 'referred', approval: 'auto' })
    t.equal(rule.statusCode, 201)
    const customerId = await customer(ctx, integration)
    const { ticket } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
    await move(ctx, agent.token, ticket.id, 'resolved')
    await move(ctx, agent.token, ticket.id, 'in_progress')
    await move(ctx, agent.token, ticket.id, 'resolved')
    const rewards = await ctx.sql<{ beneficiary_id: string; amount: number }>('select beneficiary_id, amount from rewards where event_key = $1', [`ticket_resolved:${ticket.id}`])
    t.same(rewards, [{ beneficiary_id: customerId, amount: 5 }])
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/incentive-rules/${rule.json().id}`, { active: false })
  })
})
