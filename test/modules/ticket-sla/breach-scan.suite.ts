import t from 'tap'
import { randomBytes } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { ticketSlaScanJob } from '../../../src/jobs/ticket-sla-scan.job.js'
import { jobs } from '../../../src/jobs/index.js'

const MINUTE = 60_000
type TicketRow = {
  customerId: string; priority?: string; status?: string; assigneeId?: string | null; queueTeamId?: string | null
  firstResponseDueAt?: Date | null; resolutionDueAt?: Date | null; firstRespondedAt?: Date | null; subject?: string
}

/** A ticket row straight into the table (the ticket service is written elsewhere): just the SLA columns the scan reads. */
async function insertTicket(ctx: TestApp, row: TicketRow): Promise<string> {
  const [r] = await ctx.sql<{ id: string }>(
    `insert into tickets (id, customer_id, channel, category, priority, subject, status, assignee_id, queue_team_id,
       first_response_due_at, resolution_due_at, first_responded_at, tracking_token_hash)
     values (gen_random_uuid(), $1, 'web', 'general', $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
    [row.customerId, row.priority ?? 'normal', row.subject ?? '打印机无法开机', row.status ?? 'open', row.assigneeId ?? null, row.queueTeamId ?? null,
      row.firstResponseDueAt ?? null, row.resolutionDueAt ?? null, row.firstRespondedAt ?? null, randomBytes(16).toString('hex')]
  )
  return r.id
}

await forEachDatabase(t, async (t, ctx) => {
  const services = ctx.app.services
  const teamA = await ctx.createTeam()
  const queue = await ctx.createTeam()
  const lonely = await ctx.createTeam()
  const agent = await ctx.staff('service', { teamId: teamA })
  const managerA = await ctx.staff('manager', { teamId: teamA })
  const queueManager = await ctx.staff('manager', { teamId: queue })
  const loner = await ctx.staff('service', { teamId: lonely })
  const c = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "工单客户" }) { customer { id } } }')
  const customerId: string = c.data.createCustomer.customer.id
  const now = new Date()
  const ago = (m: number) => new Date(now.getTime() - m * MINUTE)
  const later = (m: number) => new Date(now.getTime() + m * MINUTE)

  await t.test('the job is registered with its cron setting', async (t) => {
    t.ok(jobs.includes(ticketSlaScanJob))
    t.equal(ticketSlaScanJob.name, 'ticket-sla-scan')
    t.equal(ticketSlaScanJob.cron(ctx.app.config), ctx.app.config.TICKET_SLA_SCAN_CRON)
  })

  await t.test('marks past-due clocks once, emits ticket.sla_breached and tasks the team manager', async (t) => {
    const late = await insertTicket(ctx, { customerId, priority: 'urgent', assigneeId: agent.userId, queueTeamId: queue, firstResponseDueAt: ago(5), resolutionDueAt: later(60) })
    const both = await insertTicket(ctx, { customerId, priority: 'normal', queueTeamId: queue, firstResponseDueAt: ago(90), resolutionDueAt: ago(1) })
    // Answered in time: no first-response due time (src/rules/ticket-sla.ts). Answered late: the due time stays, and it is a breach.
    const answered = await insertTicket(ctx, { customerId, firstResponseDueAt: null, firstRespondedAt: ago(10) })
    const answeredLate = await insertTicket(ctx, { customerId, queueTeamId: queue, firstResponseDueAt: ago(10), firstRespondedAt: ago(5) })
    const notYet = await insertTicket(ctx, { customerId, firstResponseDueAt: later(1), resolutionDueAt: later(100) })
    const paused = await insertTicket(ctx, { customerId, status: 'waiting_customer', firstResponseDueAt: null, resolutionDueAt: null })
    const nobody = await insertTicket(ctx, { customerId, assigneeId: loner.userId, firstResponseDueAt: ago(3) })
    const resolvedLate = await insertTicket(ctx, { customerId, status: 'resolved', assigneeId: agent.userId, firstRespondedAt: ago(500), resolutionDueAt: ago(30) })

    const result = await ticketSlaScanJob.run(services, now)
    t.same(result, { firstResponseBreaches: 4, resolutionBreaches: 2, escalated: 4, unescalated: 1, alreadyStopped: 1, batches: 2 })

    const rows = await ctx.sql<{ id: string; first_response_breached_at: Date | null; resolution_breached_at: Date | null }>(
      'select id, first_response_breached_at, resolution_breached_at from tickets')
    const marks = Object.fromEntries(rows.map((r) => [r.id, [r.first_response_breached_at !== null, r.resolution_breached_at !== null]]))
    t.same(marks[late], [true, false])
    t.same(marks[both], [true, true])
    t.same(marks[answered], [false, false])
    t.same(marks[answeredLate], [true, false])
    t.same(marks[notYet], [false, false])
    t.same(marks[paused], [false, false])
    t.same(marks[nobody], [true, false])
    t.same(marks[resolvedLate], [false, true])

    const events = await ctx.sql<{ data: Record<string, unknown> }>("select data from outbox_events where type = 'ticket.sla_breached' order by id")
    t.equal(events.length, 6)
    const lateEvent = events.find((e) => e.data.id === late)!.data
    t.match(lateEvent, {
      id: late, customerId, clock: 'first_response', dueAt: ago(5).toISOString(), breachedAt: now.toISOString(),
      assigneeId: agent.userId, queueTeamId: queue, priority: 'urgent', managerId: managerA.userId
    })
    const tasks = await ctx.sql<{ id: string; assignee_id: string; priority: string; origin: string; customer_id: string; due_at: Date; title: string }>(
      "select id, assignee_id, priority, origin, customer_id, due_at, title from tasks where origin = 'ticket_sla' order by title")
    t.equal(tasks.length, 4)
    const lateTask = tasks.find((x) => x.id === lateEvent.taskId)!
    t.match(lateTask, { assignee_id: managerA.userId, priority: 'urgent', origin: 'ticket_sla', customer_id: customerId, title: 'SLA breached (first response): 打印机无法开机' })
    t.equal(new Date(lateTask.due_at).getTime(), now.getTime())
    // No assignee: the queue team's manager; high priority for a normal ticket.
    const bothEvents = events.filter((e) => e.data.id === both).map((e) => e.data)
    t.same(bothEvents.map((e) => e.clock).sort(), ['first_response', 'resolution'])
    t.ok(bothEvents.every((e) => e.managerId === queueManager.userId))
    t.ok(tasks.filter((x) => x.assignee_id === queueManager.userId).every((x) => x.priority === 'high'))
    // No manager anywhere: recorded and announced, not escalated.
    t.match(events.find((e) => e.data.id === nobody)!.data, { managerId: null, taskId: null })
    t.match(events.find((e) => e.data.id === resolvedLate)!.data, { clock: 'resolution', status: 'resolved', taskId: null })

    const again = await ticketSlaScanJob.run(services, later(1))
    t.same(again, { firstResponseBreaches: 0, resolutionBreaches: 0, escalated: 0, unescalated: 0, alreadyStopped: 0, batches: 0 })
    const audits = await ctx.sql<{ n: number }>("select count(*)::int as n from audit_entries where action = 'ticket.sla_breached' and actor_type = 'system'")
    t.equal(audits[0].n, 6)
  })

  await t.test('a clock past due later (after a reopen moved it) is not breached twice; a deleted ticket is never scanned', async (t) => {
    const id = await insertTicket(ctx, { customerId, firstResponseDueAt: ago(2) })
    await ticketSlaScanJob.run(services, now)
    await ctx.sql('update tickets set first_response_due_at = $2 where id = $1', [id, ago(1)])
    const gone = await insertTicket(ctx, { customerId, resolutionDueAt: ago(2) })
    await ctx.sql('update tickets set deleted_at = now() where id = $1', [gone])
    const r = await ticketSlaScanJob.run(services, now)
    t.equal(r!.firstResponseBreaches, 0)
    t.equal(r!.resolutionBreaches, 0)
  })

  await t.test('two scans at once, in small batches: every clock breached exactly once, one task and one event each', async (t) => {
    const at = later(2)
    await services.ticketSla.breachScan(at)
    const ids: string[] = []
    for (let i = 0; i < 120; i++) {
      ids.push(await insertTicket(ctx, { customerId, assigneeId: agent.userId, firstResponseDueAt: ago(10 + i), resolutionDueAt: i % 2 === 0 ? ago(i + 1) : later(10 + i) }))
    }
    const [a, b] = await Promise.all([services.ticketSla.breachScan(at, 7), services.ticketSla.breachScan(at, 7)])
    t.equal(a.firstResponseBreaches + b.firstResponseBreaches, 120)
    t.equal(a.resolutionBreaches + b.resolutionBreaches, 60)
    const events = await ctx.sql<{ id: string; clock: string; n: number }>(
      "select data->>'id' as id, data->>'clock' as clock, count(*)::int as n from outbox_events where type = 'ticket.sla_breached' and data->>'id' = any($1) group by 1, 2",
      [ids])
    t.equal(events.length, 180)
    t.ok(events.every((e) => e.n === 1), 'one event per clock')
    const tasks = await ctx.sql<{ n: number }>("select count(*)::int as n from tasks where origin = 'ticket_sla' and description like any($1)", [ids.map((id) => `Ticket ${id}:%`)])
    t.equal(tasks[0].n, 180, 'one task per clock')
    // Leftovers a scan skipped because the other held them were handled by the other: nothing remains.
    const rest = await services.ticketSla.breachScan(at, 7)
    t.equal(rest.firstResponseBreaches + rest.resolutionBreaches, 0)
  })

  await t.test('batches: more breaches than a batch are all handled in one run, one transaction per batch', async (t) => {
    for (let i = 0; i < 25; i++) await insertTicket(ctx, { customerId, queueTeamId: queue, resolutionDueAt: ago(1 + i) })
    const r = await services.ticketSla.breachScan(later(3), 10)
    t.equal(r.resolutionBreaches, 25)
    t.equal(r.batches, 3)
  })
})
