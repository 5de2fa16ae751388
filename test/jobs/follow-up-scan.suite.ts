import t from 'tap'
import { followUpScanJob } from '../../src/jobs/follow-up-scan.job.js'
import { forEachDatabase } from '../helper.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

type Task = { assignee_id: string; title: string; priority: string; origin: string; due_at: Date }

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('SLA north')
  const lone = await ctx.createTeam('SLA no manager')
  const manager = await ctx.staff('manager', { teamId: north, name: 'SLA manager' })
  const rep = await ctx.staff('sales', { teamId: north, name: 'SLA rep' })
  const loner = await ctx.staff('sales', { teamId: lone, name: 'Loner' })
  const run = (offsetMs: number) => followUpScanJob.run(ctx.app.services, new Date(Date.now() + offsetMs))
  const newLead = async (name: string, ownerId = rep.userId, source = 'event') =>
    (await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source, name, ownerId })).json() as { id: string; firstContactDueAt: string; nextFollowUpAt: string }
  const tasks = (leadId: string) => ctx.sql<Task>('select assignee_id, title, priority, origin, due_at from tasks where lead_id = $1 order by created_at, id', [leadId])
  const events = (leadId: string, type: string) => ctx.sql<{ data: Record<string, unknown> }>('select data from outbox_events where entity_id = $1 and type = $2', [leadId, type])
  const lead = async (id: string) => (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads/${id}`)).json()

  t.equal(followUpScanJob.name, 'lead-follow-up-scan')
  t.equal(followUpScanJob.cron(ctx.app.config), '*/5 * * * *')

  await t.test('time travel: +4 days breaches first contact, +8 days a follow-up task, +31 days dormant; each once', async (t) => {
    const l = await newLead('Never called')
    t.ok(l.firstContactDueAt && l.nextFollowUpAt, 'a new owned lead gets its follow-up clock')
    await run(2 * DAY)
    t.same(await tasks(l.id), [], 'nothing due after 2 days')

    const r4 = await run(4 * DAY)
    t.ok(r4 && (r4 as { firstContactBreaches: number }).firstContactBreaches >= 1)
    const [breach] = await tasks(l.id)
    t.match(breach, { assignee_id: manager.userId, origin: 'follow_up_policy', priority: 'high', title: /First contact overdue: Never called/ })
    t.ok((await lead(l.id)).firstContactBreachedAt)
    t.match(await events(l.id, 'lead.sla_breached'), [{ data: { id: l.id, sla: 'first_contact', ownerId: rep.userId, managerId: manager.userId } }])
    const history = await ctx.gql(ctx.adminToken, 'query($id: ID!) { lead(id: $id) { history { kind reason } } }', { id: l.id })
    t.match(history.data.lead.history.at(-1), { kind: 'sla_breached', reason: 'first_contact' })

    await run(4 * DAY)
    t.equal((await tasks(l.id)).length, 1, 'running again at +4 days adds nothing')
    t.equal((await events(l.id, 'lead.sla_breached')).length, 1)

    await run(8 * DAY)
    const afterEight = await tasks(l.id)
    t.equal(afterEight.length, 2)
    t.match(afterEight[1], { assignee_id: rep.userId, origin: 'follow_up_policy', title: /Follow up: Never called/ })
    t.equal(afterEight[1].due_at.getTime(), Date.parse(l.nextFollowUpAt), 'due at the lead\'s next follow-up time')
    await run(8 * DAY)
    t.equal((await tasks(l.id)).length, 2, 'the follow-up task is created once')

    await run(31 * DAY)
    t.match(await lead(l.id), { status: 'dormant', statusReason: 'no activity for 30 days' })
    t.match(await events(l.id, 'lead.status_changed'), [{ data: { from: 'new', to: 'dormant', reason: 'no activity for 30 days' } }])
    await run(31 * DAY)
    t.equal((await events(l.id, 'lead.status_changed')).length, 1, 'dormant once')
    t.equal((await tasks(l.id)).length, 2, 'a dormant lead gets no more tasks')
    t.equal((await events(l.id, 'task.created')).length, 0, 'task events are on the task, not the lead')
  })

  await t.test("logging a call sets the lead's first-contact and activity times, and the scan respects them", async (t) => {
    const called = await newLead('Called')
    const silent = await newLead('Silent')
    const logged = await ctx.gql(rep.token, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { code } } }',
      { i: { kind: 'call', leadId: called.id, subject: 'intro call' } })
    t.same(logged.data.logActivity.userErrors, [])
    const after = await lead(called.id)
    t.ok(after.firstContactedAt && after.lastActivityAt)
    await run(4 * DAY)
    t.same(await tasks(called.id), [], 'contacted in time: no breach')
    t.equal((await tasks(silent.id)).length, 1, 'its silent twin breached')
    // Move both a few weeks into the past: only the one with an activity stays awake.
    for (const id of [called.id, silent.id]) {
      await ctx.sql("update leads set created_at = created_at - interval '20 days', assigned_at = assigned_at - interval '20 days' where id = $1", [id])
    }
    await run(15 * DAY)
    t.equal((await lead(silent.id)).status, 'dormant', '35 days without activity')
    t.equal((await lead(called.id)).status, 'new', 'the call 15 days ago keeps it awake')
  })

  await t.test("a missed first contact goes to any manager when the owner's team has none", async (t) => {
    const l = await newLead('Lonely', loner.userId)
    await run(4 * DAY)
    t.match(await tasks(l.id), [{ assignee_id: manager.userId, priority: 'high' }])
  })

  await t.test('follow-up policies are per source: a one-hour first contact breaches after two hours', async (t) => {
    await ctx.gql(manager.token, 'mutation { upsertFollowUpPolicy(source: "hotline", input: { firstContactHours: 1 }) { userErrors { code } } }')
    const l = await newLead('Hotline caller', rep.userId, 'hotline')
    t.equal(Date.parse(l.firstContactDueAt) - Date.parse((await lead(l.id)).assignedAt), HOUR)
    await run(2 * HOUR)
    t.equal((await tasks(l.id)).length, 1)
  })

  await t.test('two scans at once act on each lead once (SKIP LOCKED and re-check under the lock)', async (t) => {
    const ls = await Promise.all([1, 2, 3].map((i) => newLead(`Race ${i}`)))
    await Promise.all([run(4 * DAY), run(4 * DAY), run(4 * DAY)])
    for (const l of ls) t.equal((await tasks(l.id)).length, 1, l.id)
  })

  await t.test('reassigning a lead gives the new owner a fresh first-contact deadline', async (t) => {
    const l = await newLead('Handed over')
    await run(4 * DAY)
    t.equal((await tasks(l.id)).length, 1)
    const moved = await ctx.rest(manager.token, 'POST', `/api/v1/leads/${l.id}/assign`, { ownerId: loner.userId })
    t.equal(moved.json().firstContactBreachedAt, null)
    t.ok(Date.parse(moved.json().firstContactDueAt) > Date.parse(l.firstContactDueAt))
  })
})
