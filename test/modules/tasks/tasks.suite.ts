import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const FIELDS = 'id title status priority overdue dueAt version assignee { id } customer { id } completedBy { id } completedAt completionNote'
const CREATE = `mutation($i: CreateTaskInput!) { createTask(input: $i) { task { ${FIELDS} } userErrors { field message code } } }`
const COMPLETE = `mutation($id: ID!, $note: String) { completeTask(id: $id, note: $note) { task { ${FIELDS} } userErrors { field message code } } }`
const LIST = `query($f: TaskFilter) { tasks(first: 200, filter: $f) { totalCount edges { node { id overdue } } } }`

async function task(ctx: TestApp, token: string, input: Record<string, unknown>) {
  const r = await ctx.gql(token, CREATE, { i: input })
  if (!r.data?.createTask?.task) throw new Error(JSON.stringify(r))
  return r.data.createTask.task
}

const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString()
const ids = (r: { data: Record<string, any> }): string[] => r.data.tasks.edges.map((e: { node: { id: string } }) => e.node.id)

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const repA = await ctx.staff('sales', { teamId: teamA })
  const mateA = await ctx.staff('sales', { teamId: teamA })
  const repB = await ctx.staff('sales', { teamId: teamB })

  await t.test('creates a task for the caller on a customer, with normal priority', async (t) => {
    const c = await ctx.gql(repA.token, 'mutation { createCustomer(input: { name: "任务客户" }) { customer { id } } }')
    const customerId = c.data.createCustomer.customer.id
    const created = await task(ctx, repA.token, { title: '回电', customerId, dueAt: hoursFromNow(24) })
    t.equal(created.status, 'open')
    t.equal(created.priority, 'normal')
    t.equal(created.assignee.id, repA.userId)
    t.equal(created.customer.id, customerId)
    t.equal(created.overdue, false)
    const two = await ctx.gql(repA.token, CREATE, { i: { title: 'x', customerId, leadId: '0190a0a0-0000-7000-8000-000000000000' } })
    t.match(two.data.createTask.userErrors, [{ code: 'ONE_SUBJECT' }])
  })

  await t.test('completing a task twice is a userError INVALID_TRANSITION', async (t) => {
    const created = await task(ctx, repA.token, { title: '发报价', priority: 'high' })
    const done = await ctx.gql(repA.token, COMPLETE, { id: created.id, note: '已发' })
    t.same(done.data.completeTask.userErrors, [])
    t.equal(done.data.completeTask.task.status, 'done')
    t.equal(done.data.completeTask.task.completedBy.id, repA.userId)
    t.equal(done.data.completeTask.task.completionNote, '已发')
    t.ok(done.data.completeTask.task.completedAt)
    const again = await ctx.gql(repA.token, COMPLETE, { id: created.id })
    t.equal(again.data.completeTask.task, null)
    t.match(again.data.completeTask.userErrors, [{ code: 'INVALID_TRANSITION' }])
    const cancel = await ctx.gql(repA.token, 'mutation($id: ID!) { cancelTask(id: $id) { task { id } userErrors { code } } }', { id: created.id })
    t.match(cancel.data.cancelTask.userErrors, [{ code: 'INVALID_TRANSITION' }])
    const rest = await ctx.rest(repA.token, 'POST', `/api/v1/tasks/${created.id}/complete`)
    t.equal(rest.statusCode, 422)
  })

  await t.test('the overdue filter finds open tasks past due, as of now', async (t) => {
    const late = await task(ctx, mateA.token, { title: '逾期', dueAt: hoursFromNow(-2) })
    const soon = await task(ctx, mateA.token, { title: '明天', dueAt: hoursFromNow(20) })
    const lateButDone = await task(ctx, mateA.token, { title: '逾期已完成', dueAt: hoursFromNow(-3) })
    await ctx.gql(mateA.token, COMPLETE, { id: lateButDone.id })
    const overdue = await ctx.gql(mateA.token, LIST, { f: { assigneeId: mateA.userId, overdue: true } })
    t.same(ids(overdue), [late.id])
    t.equal(overdue.data.tasks.edges[0].node.overdue, true)
    const notOverdue = await ctx.gql(mateA.token, LIST, { f: { assigneeId: mateA.userId, overdue: false } })
    t.same(ids(notOverdue).sort(), [soon.id, lateButDone.id].sort())
    const dueWindow = await ctx.gql(mateA.token, LIST, { f: { assigneeId: mateA.userId, dueAfter: hoursFromNow(0), dueBefore: hoursFromNow(48) } })
    t.same(ids(dueWindow), [soon.id])
    const rest = await ctx.rest(mateA.token, 'GET', `/api/v1/tasks?assigneeId=${mateA.userId}&overdue=true`)
    t.same(rest.json().data.map((x: { id: string }) => x.id), [late.id])
  })

  await t.test("sales see their team's tasks, not another team's, and assign only within the team", async (t) => {
    const mine = await task(ctx, repA.token, { title: '团队任务', assigneeId: mateA.userId })
    t.equal(mine.assignee.id, mateA.userId)
    const seenByA = await ctx.gql(repA.token, LIST, {})
    t.ok(ids(seenByA).includes(mine.id))
    const seenByB = await ctx.gql(repB.token, LIST, {})
    t.notOk(ids(seenByB).includes(mine.id))
    t.equal((await ctx.gql(repB.token, 'query($id: ID!) { task(id: $id) { id } }', { id: mine.id })).data.task, null)
    t.equal((await ctx.rest(repB.token, 'GET', `/api/v1/tasks/${mine.id}`)).statusCode, 404)
    const steal = await ctx.gql(repB.token, COMPLETE, { id: mine.id })
    t.equal(steal.errors?.[0].extensions?.code, 'NOT_FOUND')
    const across = await ctx.gql(repA.token, CREATE, { i: { title: '跨团队', assigneeId: repB.userId } })
    t.equal(across.errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test('PATCH honours If-Match and answers a stale version with 412', async (t) => {
    const created = await ctx.rest(repA.token, 'POST', '/api/v1/tasks', { title: 'REST 任务' })
    t.equal(created.statusCode, 201)
    t.equal(created.headers.etag, '"1"')
    const id = created.json().id
    const ok = await ctx.rest(repA.token, 'PATCH', `/api/v1/tasks/${id}`, { priority: 'urgent', dueAt: hoursFromNow(1) }, { 'if-match': '"1"' })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().priority, 'urgent')
    t.equal(ok.json().version, 2)
    const stale = await ctx.rest(repA.token, 'PATCH', `/api/v1/tasks/${id}`, { priority: 'low' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    const cancelled = await ctx.rest(repA.token, 'POST', `/api/v1/tasks/${id}/cancel`)
    t.equal(cancelled.statusCode, 200)
    t.equal(cancelled.json().status, 'cancelled')
    const gql = await ctx.gql(repA.token, 'mutation($id: ID!) { updateTask(id: $id, input: { title: "改" }) { userErrors { code } } }', { id })
    t.match(gql.data.updateTask.userErrors, [{ code: 'INVALID_TRANSITION' }])
  })
})
