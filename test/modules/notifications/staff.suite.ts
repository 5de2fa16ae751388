import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { FakeHttpProvider, FakeSmtpServer } from '../../support/fake-providers.js'
import { concernOf, maskFreeText } from '../../../src/modules/notifications/staff.texts.js'

const SUBSCRIBE = `mutation($i: SubscribeNotificationsInput!) { subscribeNotifications(input: $i) {
  notificationSubscription { id userId teamId channelId eventTypes scope } userErrors { field message code } } }`

t.test('free text in a staff message has phones and emails masked', async (t) => {
  t.equal(maskFreeText('Call 张三 at 138 1234 5678 or +86 13912345678'), 'Call 张三 at 138****5678 or 139****5678')
  t.equal(maskFreeText('mail zoe.li@example.com'), 'mail z***@example.com')
})

t.test('a ticket update is an escalation only when the assignee changes or the priority rises', async (t) => {
  const e = (changes: Record<string, unknown>) => concernOf({ id: 'e', type: 'ticket.updated', entityId: 't', data: { changes } })
  t.equal(e({ subject: { from: 'a', to: 'b' } }), null)
  t.equal(e({ priority: { from: 'high', to: 'low' } }), null)
  t.same(e({ priority: { from: 'normal', to: 'urgent' } }), { userIds: [], teamIds: [] })
  t.same(e({ assigneeId: { from: null, to: 'u1' } }), { userIds: ['u1'], teamIds: [] })
})

async function userWithEmail(ctx: TestApp, role: string, teamId?: string) {
  const u = await ctx.staff(role, { teamId })
  await ctx.sql('update users set email = $1 where id = $2', [`${role}-${u.userId}@example.com`, u.userId])
  return u
}

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const smtp = new FakeSmtpServer()
  const port = await smtp.start()
  const robot = new FakeHttpProvider()
  const base = await robot.start()
  t.teardown(async () => { await smtp.stop(); await robot.stop() })
  const email = (await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'Mail', kind: 'email', config: { host: '127.0.0.1', port, from: 'crm@example.com' } })).json().id
  const teamId = await ctx.createTeam()
  const wecom = (await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'Team robot', kind: 'wecom_robot', teamId, config: { url: `${base}/send` }, secrets: { key: 'K' } })).json().id

  await t.test('a rep subscribes themself by email; a lead assigned to them reaches their inbox once', async (t) => {
    const rep = await userWithEmail(ctx, 'sales', teamId)
    const other = await userWithEmail(ctx, 'sales', teamId)
    const s = await ctx.gql(rep.token, SUBSCRIBE, { i: { channelId: email, eventTypes: ['lead.assigned', 'task.created'] } })
    t.match(s.data.subscribeNotifications, { notificationSubscription: { userId: rep.userId, scope: 'mine' }, userErrors: [] })
    const manager = await ctx.staff('manager', { teamId })
    const lead = (await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source: 'event', name: 'Lead 13812345678', ownerId: rep.userId })).json()
    await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source: 'event', name: 'Not mine', ownerId: other.userId })
    const svc = ctx.app.services
    const first = await svc.staffNotifications.fanOut(new Date())
    t.ok(first.events >= 1)
    t.equal((await svc.staffNotifications.fanOut(new Date())).events, 0, 'each event is taken once')
    const queued = await ctx.sql<{ dedupe_key: string; event_type: string; user_id: string; content: { text: string } }>(`select * from messages where purpose = 'staff' and user_id = $1`, [rep.userId])
    t.equal(queued.length, 1, 'only the lead assigned to the rep')
    t.match(queued[0], { event_type: 'lead.assigned', dedupe_key: /^staff:[0-9a-f-]+:[0-9a-f-]+$/ })
    t.match(queued[0].content.text, /线索已分配.*Lead assigned/)
    t.match(queued[0].content.text, new RegExp(lead.id))
    await svc.messageDelivery.deliverDue(new Date())
    t.equal(smtp.mails.length, 1)
    t.same(smtp.mails[0].to, [`sales-${rep.userId}@example.com`])
  })

  await t.test('a team robot hears of tasks for anyone in the team; phones in titles are masked', async (t) => {
    const s = await ctx.gql(admin, SUBSCRIBE, { i: { teamId, channelId: wecom, eventTypes: ['task.created'] } })
    t.match(s.data.subscribeNotifications, { notificationSubscription: { teamId, scope: 'team' }, userErrors: [] })
    const rep = await ctx.staff('sales', { teamId })
    const outsider = await ctx.staff('sales', { teamId: await ctx.createTeam() })
    await ctx.rest(admin, 'POST', '/api/v1/tasks', { title: 'Call back 13812345678', dueAt: new Date(Date.now() + 3600_000).toISOString(), assigneeId: rep.userId })
    await ctx.rest(admin, 'POST', '/api/v1/tasks', { title: 'Elsewhere', dueAt: new Date(Date.now() + 3600_000).toISOString(), assigneeId: outsider.userId })
    await ctx.app.services.staffNotifications.fanOut(new Date())
    const before = robot.received.length
    await ctx.app.services.messageDelivery.deliverDue(new Date())
    const got = robot.received.slice(before)
    t.equal(got.length, 1, 'only the team member’s task')
    const text = (got[0].json as { text: { content: string } }).text.content
    t.match(text, /138\*\*\*\*5678/)
    t.notMatch(text, /13812345678/)
  })

  await t.test('rules of subscribing: channel kinds, other users, scope all, bad input', async (t) => {
    const rep = await userWithEmail(ctx, 'sales', teamId)
    const other = await userWithEmail(ctx, 'sales', teamId)
    const robotForUser = await ctx.gql(rep.token, SUBSCRIBE, { i: { channelId: wecom, eventTypes: ['task.created'] } })
    t.match(robotForUser.data.subscribeNotifications.userErrors, [{ field: 'channelId', code: 'WRONG_CHANNEL_KIND' }])
    const forOther = await ctx.gql(rep.token, SUBSCRIBE, { i: { userId: other.userId, channelId: email, eventTypes: ['task.created'] } })
    t.match(forOther.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const all = await ctx.gql(rep.token, SUBSCRIBE, { i: { channelId: email, eventTypes: ['reward.created'], scope: 'all' } })
    t.match(all.data.subscribeNotifications.userErrors, [{ field: 'scope', code: 'SCOPE_NOT_ALLOWED' }])
    const unknown = await ctx.rest(rep.token, 'POST', '/api/v1/notification-subscriptions', { channelId: email, eventTypes: ['order.recorded'] })
    t.equal(unknown.statusCode, 400)
    const inline = await ctx.gql(rep.token, `mutation { subscribeNotifications(input: { channelId: "${email}", eventTypes: ["task.created"] }) { notificationSubscription { id scope } userErrors { field } } }`)
    t.match(inline.data.subscribeNotifications, { notificationSubscription: { scope: 'mine' }, userErrors: [] })
    const again = await ctx.rest(rep.token, 'POST', '/api/v1/notification-subscriptions', { channelId: email, eventTypes: ['lead.assigned'] })
    t.equal(again.json().id, inline.data.subscribeNotifications.notificationSubscription.id, 'subscribing again replaces')
    t.same(again.json().eventTypes, ['lead.assigned'])
    const mine = (await ctx.rest(rep.token, 'GET', '/api/v1/notification-subscriptions')).json()
    t.ok(mine.data.every((s: { userId: string | null; teamId: string | null }) => s.userId === rep.userId || s.teamId === teamId), 'own and own team only')
    const otherDelete = await ctx.rest(other.token, 'DELETE', `/api/v1/notification-subscriptions/${again.json().id}`)
    t.equal(otherDelete.statusCode, 404)
    t.equal((await ctx.rest(rep.token, 'DELETE', `/api/v1/notification-subscriptions/${again.json().id}`)).statusCode, 204)
    const referrerish = await ctx.keyToken('integration')
    const list = await ctx.gql(referrerish, '{ notificationSubscriptions { totalCount } }')
    t.match(list.errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('old events (a backlog) are marked without notifying', async (t) => {
    const rep = await userWithEmail(ctx, 'sales', teamId)
    await ctx.gql(rep.token, SUBSCRIBE, { i: { channelId: email, eventTypes: ['task.created'] } })
    await ctx.rest(admin, 'POST', '/api/v1/tasks', { title: 'Old', dueAt: new Date(Date.now() + 3600_000).toISOString(), assigneeId: rep.userId })
    const later = new Date(Date.now() + 25 * 3600_000)
    const r = await ctx.app.services.staffNotifications.fanOut(later)
    t.ok(r.events >= 1)
    t.equal(r.messages, 0)
  })

  await t.test('concurrent fan-outs enqueue each notification once', async (t) => {
    const rep = await userWithEmail(ctx, 'sales', teamId)
    await ctx.gql(rep.token, SUBSCRIBE, { i: { channelId: email, eventTypes: ['task.created'] } })
    for (let i = 0; i < 10; i++) await ctx.rest(admin, 'POST', '/api/v1/tasks', { title: `T${i}`, dueAt: new Date(Date.now() + 3600_000).toISOString(), assigneeId: rep.userId })
    await Promise.all([1, 2, 3].map(() => ctx.app.services.staffNotifications.fanOut(new Date())))
    await ctx.app.services.staffNotifications.fanOut(new Date())
    const n = await ctx.sql<{ n: number }>(`select count(*)::int as n from messages where user_id = $1 and event_type = 'task.created'`, [rep.userId])
    t.equal(n[0].n, 10)
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
