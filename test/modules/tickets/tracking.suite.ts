import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { COMMENT, customer, move, openTicket, roundTheClock } from './ticket-fixtures.js'

await forEachDatabase(t, async (t, ctx) => {
  await roundTheClock(ctx)
  const integration = await ctx.keyToken('integration')
  const agent = await ctx.staff('service')

  await t.test('the tracking page shows progress and nothing else about the customer; unknown tokens are 404', async (t) => {
    const customerId = await customer(ctx, integration, '保密客户张三')
    const { ticket, token } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId, subject: '洗衣机异响' })
    const page = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)
    t.equal(page.statusCode, 200)
    const body = page.json()
    t.match(body, { subject: '洗衣机异响', category: 'repair', status: 'open', replies: [], resolvedAt: null })
    t.equal(body.expectedResolutionAt, ticket.sla.resolutionDueAt)
    t.notOk(JSON.stringify(body).includes('保密客户张三'), "the customer's name is not on the page")
    t.notOk(JSON.stringify(body).includes(agent.userId), 'nor who works it')
    for (const bad of ['x'.repeat(43), 'short', `${token}x`, 'a/b']) {
      const r = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${encodeURIComponent(bad)}`)
      t.ok([400, 404].includes(r.statusCode), `${bad.slice(0, 10)}: ${r.statusCode}`)
    }
    const unknown = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${'A'.repeat(43)}`)
    t.equal(unknown.statusCode, 404)
    t.equal(unknown.headers['content-type'], 'application/problem+json; charset=utf-8')
  })

  await t.test("the customer's reply resumes a ticket waiting for them and reopens a resolved one; a closed one refuses", async (t) => {
    const customerId = await customer(ctx, integration)
    const { ticket, token } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
    await move(ctx, agent.token, ticket.id, 'waiting_customer')
    const waiting = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)
    t.equal(waiting.json().expectedResolutionAt, null, 'no promise while the ticket waits for the customer')
    const reply = await ctx.rest(null, 'POST', `/api/v1/public/tickets/${token}/replies`, { body: '照片已上传' })
    t.equal(reply.statusCode, 201)
    t.equal(reply.json().status, 'in_progress')
    t.same(reply.json().replies.map((r: { from: string }) => r.from), ['customer'])
    const [change] = await ctx.sql<{ actor_type: string; note: string }>("select actor_type, note from ticket_status_changes where ticket_id = $1 and actor_type = 'public'", [ticket.id])
    t.match(change, { actor_type: 'public', note: 'customer replied' })
    const [activity] = await ctx.sql<{ direction: string }>('select direction from activities where customer_id = $1', [customerId])
    t.equal(activity.direction, 'inbound')
    const staffView = await ctx.gql(agent.token, 'query($id: ID!) { ticket(id: $id) { sla { firstRespondedAt } comments { totalCount edges { node { authorKind author { id } } } } } }', { id: ticket.id })
    t.equal(staffView.data.ticket.sla.firstRespondedAt, null, "a customer's reply is not the first response")
    t.match(staffView.data.ticket.comments, { totalCount: 1, edges: [{ node: { authorKind: 'customer', author: null } }] })

    await move(ctx, agent.token, ticket.id, 'resolved')
    const reopened = await ctx.rest(null, 'POST', `/api/v1/public/tickets/${token}/replies`, { body: '还是不行' })
    t.equal(reopened.json().status, 'in_progress')
    await move(ctx, agent.token, ticket.id, 'resolved')
    await move(ctx, agent.token, ticket.id, 'closed')
    const closed = await ctx.rest(null, 'POST', `/api/v1/public/tickets/${token}/replies`, { body: '再问一下' })
    t.equal(closed.statusCode, 422)
    for (const body of [{}, { body: '' }, { body: ' \n\t ' }, { body: 'x'.repeat(5001) }, { body: 'ok', extra: 1 }]) {
      t.equal((await ctx.rest(null, 'POST', `/api/v1/public/tickets/${token}/replies`, body)).statusCode, 400, JSON.stringify(body).slice(0, 30))
    }
  })

  await t.test('an internal note never reaches the page; a new token retires the old link', async (t) => {
    const customerId = await customer(ctx, integration)
    const { ticket, token } = await openTicket(ctx, integration, { customerId, assigneeId: agent.userId })
    await ctx.gql(agent.token, COMMENT, { id: ticket.id, i: { visibility: 'internal', body: '内部：疑似人为损坏' } })
    const page = await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)
    t.same(page.json().replies, [])
    const fresh = await ctx.rest(agent.token, 'POST', `/api/v1/tickets/${ticket.id}/tracking-token`)
    t.equal(fresh.statusCode, 200)
    t.equal((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${token}`)).statusCode, 404)
    t.equal((await ctx.rest(null, 'GET', `/api/v1/public/tickets/${fresh.json().trackingToken}`)).statusCode, 200)
  })
})

await t.test('replies are rate limited per ticket', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const integration = await ctx.keyToken('integration')
    const customerId = await customer(ctx, integration)
    const { token } = await openTicket(ctx, integration, { customerId })
    const codes: number[] = []
    for (let i = 0; i < 4; i++) codes.push((await ctx.rest(null, 'POST', `/api/v1/public/tickets/${token}/replies`, { body: `第${i}条` })).statusCode)
    t.same(codes, [201, 201, 429, 429])
  }, { PUBLIC_RATE_LIMIT_PER_TICKET: '2', PUBLIC_RATE_LIMIT_PER_IP: '100' })
})
