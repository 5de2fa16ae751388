import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { FakeHttpProvider } from '../../support/fake-providers.js'
import { staffContent } from '../../../src/modules/notifications/staff.texts.js'

const SUBSCRIBE = `mutation($i: SubscribeNotificationsInput!) { subscribeNotifications(input: $i) {
  notificationSubscription { id teamId scope } userErrors { field message code } } }`

t.test('a task reminder names its customer with the masked phone only', async (t) => {
  const e = { id: 'e1', type: 'task.created' as const, entityId: 'task1', data: { task: { title: '回访', assigneeId: 'u1', customerId: 'c1', dueAt: null } } }
  const text = staffContent(e, () => '李销售', (id) => (id === 'c1' ? '王小明 (138****5678)' : null)).text
  t.equal(text, '【新任务】New task\n回访\n客户 customer: 王小明 (138****5678)\n执行人 assignee: 李销售; 截止 due: -')
  t.notMatch(staffContent(e, () => '-').text, /客户/, 'no customer line when none is known')
})

await forEachDatabase(t, async (t, ctx) => {
  await t.test('the team robot reminder of a task names the customer with a masked phone, never the clear one', async (t) => {
    const robot = new FakeHttpProvider()
    const base = await robot.start()
    t.teardown(() => robot.stop())
    const teamId = await ctx.createTeam()
    const wecom = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/notification-channels', { name: '销售群', kind: 'wecom_robot', teamId, config: { url: `${base}/send` }, secrets: { key: 'K' } })
    t.equal(wecom.statusCode, 201)
    const s = await ctx.gql(ctx.adminToken, SUBSCRIBE, { i: { teamId, channelId: wecom.json().id, eventTypes: ['task.created'] } })
    t.same(s.data.subscribeNotifications.userErrors, [])
    const rep = await ctx.staff('sales', { teamId, name: '李销售' })
    const c = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: '王小明', phone: '13812345678', ownerId: rep.userId })).json()
    const task = await ctx.rest(rep.token, 'POST', '/api/v1/tasks', { title: '回访 王小明', customerId: c.id, assigneeId: rep.userId })
    t.equal(task.statusCode, 201, task.body)
    await ctx.app.services.staffNotifications.fanOut(new Date())
    await ctx.app.services.messageDelivery.deliverDue(new Date())
    t.equal(robot.received.length, 1)
    const content = (robot.received[0].json as { text: { content: string } }).text.content
    t.match(content, /客户 customer: 王小明 \(138\*\*\*\*5678\)/)
    t.notMatch(content, /13812345678/)
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
