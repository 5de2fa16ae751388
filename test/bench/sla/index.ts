/**
 * `npm run bench -- --only sla --db postgres`: the ticket SLA breach scan at 1,000,000 tickets
 * (100,000 open, a few thousand past due) against hand-written SQL that finds (and marks)
 * the same breaches. In-process, same database, interleaved, medians of --rounds runs:
 *   find   the scan's candidate query (both clocks) vs one hand-written UNION ALL
 *   mark   the scan's marking alone (lock a batch SKIP LOCKED, update by ids) vs an UPDATE … RETURNING per clock
 *   job    TicketSlaService.breachScan (mark, tasks, audit, events, in batches of 1000) vs one
 *          hand-written statement per clock doing the same writes, and vs the marking UPDATEs
 * Between job runs the marks, tasks, audit entries and events it made are undone (not timed).
 * docs/performance.md, "Ticket SLA breach scan".
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { breachScanQueries } from '../../../src/modules/tickets/sla/breach-scan.queries.js'
import { writeBlock } from '../report.js'
import { createBenchDatabase, type BenchDatabase, type DbKind } from '../seed.js'
import { seedTickets } from './seed.js'

export type SlaBenchOptions = { kind: DbKind; tickets: number; open: number; rounds: number; keep: boolean; log: (line: string) => void }
export type SlaBenchResult = SlaBenchOptions & {
  seedSeconds: number
  breaches: { firstResponse: number; resolution: number }
  findMs: number[]; handFindMs: number[]; jobMs: number[]; handMarkMs: number[]; markMs: number[]; handJobMs: number[]
  plans: { ours: string; handwritten: string }
  jobResult: Record<string, unknown>
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = async (fn: () => Promise<unknown>) => { const t = performance.now(); await fn(); return performance.now() - t }

const handFind = (now: string) => sql`
  select id from tickets where first_response_due_at < ${now}::timestamptz and first_response_breached_at is null and deleted_at is null
  union all
  select id from tickets where resolution_due_at < ${now}::timestamptz and resolution_breached_at is null and deleted_at is null`
const handMark = (now: string) => [
  sql`update tickets set first_response_breached_at = ${now}::timestamptz where first_response_due_at < ${now}::timestamptz
    and first_response_breached_at is null and deleted_at is null returning id, customer_id, assignee_id, queue_team_id, priority, first_response_due_at`,
  sql`update tickets set resolution_breached_at = ${now}::timestamptz where resolution_due_at < ${now}::timestamptz and resolution_breached_at is null
    and deleted_at is null returning id, customer_id, assignee_id, queue_team_id, priority, resolution_due_at`
]

/**
 * The whole job by hand, one statement per clock: mark, pick the manager, insert the tasks,
 * the breach and task events and their audit entries (what breachScan writes, minus batching).
 */
const handJob = (now: string, clock: 'first_response' | 'resolution') => {
  const due = clock === 'first_response' ? 'first_response_due_at' : 'resolution_due_at'
  const mark = clock === 'first_response' ? 'first_response_breached_at' : 'resolution_breached_at'
  return sql`with m as (
    update tickets set ${sql.raw(mark)} = ${now}::timestamptz
    where ${sql.raw(due)} < ${now}::timestamptz and ${sql.raw(mark)} is null and deleted_at is null
    returning id, customer_id, assignee_id, queue_team_id, priority, status, subject, ${sql.raw(due)} as due_at
  ), g as (
    select m.*, coalesce(
      (select u.id from users a join users u on u.team_id = a.team_id and u.role = 'manager' and u.active and u.deleted_at is null
        where a.id = m.assignee_id order by u.id = m.assignee_id, u.id limit 1),
      (select u.id from users u where u.team_id = m.queue_team_id and u.role = 'manager' and u.active and u.deleted_at is null order by u.id limit 1)
    ) as manager_id, gen_random_uuid() as task_id
    from m
  ), tk as (
    insert into tasks (id, title, description, due_at, priority, origin, assignee_id, customer_id)
    select task_id, 'SLA breached: ' || subject, 'Ticket ' || id || ' was due by ' || due_at, ${now}::timestamptz,
      (case when priority = 'urgent' then 'urgent' else 'high' end)::task_priority, 'ticket_sla', manager_id, customer_id
    from g where manager_id is not null and status in ('open', 'in_progress', 'waiting_customer')
    returning id, to_jsonb(tasks.*) as task
  ), ev as (
    select gen_random_uuid() as id, 'ticket.sla_breached' as type, 'ticket' as entity_type, g.id as entity_id,
      jsonb_build_object('id', g.id, 'customerId', g.customer_id, 'clock', ${clock}::text, 'dueAt', g.due_at, 'breachedAt', ${now}::timestamptz,
        'assigneeId', g.assignee_id, 'queueTeamId', g.queue_team_id, 'priority', g.priority, 'status', g.status, 'managerId', g.manager_id,
        'taskId', (select tk.id from tk where tk.id = g.task_id)) as data
    from g
    union all select gen_random_uuid(), 'task.created', 'task', tk.id, jsonb_build_object('task', tk.task) from tk
  ), out as (
    insert into outbox_events (id, type, entity_type, entity_id, data) select * from ev
  )
  insert into audit_entries (id, actor_type, action, entity_type, entity_id, changes)
  select gen_random_uuid(), 'system', type, entity_type, entity_id, data from ev`
}

export async function benchSla(o: SlaBenchOptions): Promise<SlaBenchResult> {
  const { log } = o
  const target: BenchDatabase = await createBenchDatabase(o.kind)
  const config = loadConfig({
    ...(target.url ? { DATABASE_URL: target.url, DATABASE_POOL_SIZE: '4' } : {}), DATA_DIR: target.dataDir ?? join('/tmp', 'crm-bench-unused'),
    PII_KEY: randomBytes(32).toString('base64'), JWT_SECRET: randomBytes(24).toString('hex'), JOBS_ENABLED: 'false', LOG_LEVEL: 'silent'
  })
  const app = await buildApp({ config, logger: false })
  const db = app.database.db
  const rows = async (q: ReturnType<typeof sql>) => ((await db.execute(q)) as unknown as { rows: Record<string, unknown>[] }).rows
  try {
    log(`\n== sla ${o.kind}: seeding ${o.tickets.toLocaleString('en')} tickets (${o.open.toLocaleString('en')} open)`)
    const now = new Date()
    const at = now.toISOString()
    const seedSeconds = (await ms(() => seedTickets(db, { tickets: o.tickets, open: o.open, customers: Math.max(1000, Math.round(o.tickets / 10)) }, now))) / 1000
    if (o.kind === 'postgres') await db.execute(sql`vacuum (analyze)`)
    log(`  seeded in ${seedSeconds.toFixed(1)} s`)
    const [count] = await rows(sql`select
      count(*) filter (where first_response_due_at < ${at}::timestamptz and first_response_breached_at is null and deleted_at is null)::int as fr,
      count(*) filter (where resolution_due_at < ${at}::timestamptz and resolution_breached_at is null and deleted_at is null)::int as res from tickets`)
    const breaches = { firstResponse: Number(count.fr), resolution: Number(count.res) }
    log(`  past due and not marked: ${breaches.firstResponse} first-response, ${breaches.resolution} resolution clocks`)

    const explain = async (q: ReturnType<typeof sql>) => (await rows(sql`explain ${q}`)).map((r) => String(r['QUERY PLAN'])).join('\n')
    const plans = {
      ours: (await explain(sql`select id from tickets where first_response_due_at is not null and first_response_breached_at is null
        and deleted_at is null and first_response_due_at < ${at}::timestamptz limit 1000`)),
      handwritten: await explain(handFind(at))
    }
    log(`  plan (ours, first response):\n${plans.ours.replace(/^/gm, '    ')}`)

    const findAll = async () => (await breachScanQueries.findPastDue(db, now, 1_000_000)).length
    // Warm-up, and both sides find the same number of breaches.
    const found = await findAll()
    const hand = (await rows(handFind(at))).length
    if (found !== hand || found !== breaches.firstResponse + breaches.resolution) throw new Error(`the scan finds ${found}, the hand-written query ${hand}`)
    const findMs: number[] = []
    const handFindMs: number[] = []
    for (let i = 0; i < Math.max(21, o.rounds * 5); i++) {
      handFindMs.push(await ms(() => rows(handFind(at))))
      findMs.push(await ms(findAll))
    }
    log(`  find: ours ${median(findMs).toFixed(1)} ms, hand-written ${median(handFindMs).toFixed(1)} ms (medians of ${findMs.length})`)

    const undo = async () => {
      await db.execute(sql`update tickets set first_response_breached_at = null where first_response_breached_at = ${at}::timestamptz`)
      await db.execute(sql`update tickets set resolution_breached_at = null where resolution_breached_at = ${at}::timestamptz`)
      await db.execute(sql`delete from tasks where origin = 'ticket_sla'`)
      await db.execute(sql`delete from outbox_events where type in ('ticket.sla_breached', 'task.created')`)
      // The audit trail is append-only (migrations, audit block): an operator's maintenance session may delete.
      await db.transaction(async (tx) => {
        await tx.execute(sql`select set_config('crm.audit_maintenance', 'on', true)`)
        await tx.execute(sql`delete from audit_entries where action in ('ticket.sla_breached', 'task.created')`)
      })
      if (o.kind === 'postgres') await db.execute(sql`vacuum (analyze) tickets, tasks, outbox_events, audit_entries`)
    }
    const jobMs: number[] = []
    const handMarkMs: number[] = []
    const markMs: number[] = []
    const handJobMs: number[] = []
    const markOnly = () => db.transaction(async (tx) => {
      for (const clock of ['first_response', 'resolution'] as const) {
        while ((await breachScanQueries.markBatch(tx, clock, now, 1000)).length === 1000);
      }
    })
    let jobResult: Record<string, unknown> = {}
    for (let i = 0; i < o.rounds; i++) {
      handMarkMs.push(await ms(() => db.transaction(async (tx) => { for (const q of handMark(at)) await tx.execute(q) })))
      await undo()
      handJobMs.push(await ms(() => db.transaction(async (tx) => { for (const clock of ['first_response', 'resolution'] as const) await tx.execute(handJob(at, clock)) })))
      await undo()
      markMs.push(await ms(markOnly))
      await undo()
      jobMs.push(await ms(async () => { jobResult = await app.services.ticketSla.breachScan(now) }))
      await undo()
      log(`  round ${i + 1}: job ${jobMs.at(-1)!.toFixed(0)} ms, its marking alone ${markMs.at(-1)!.toFixed(0)} ms, hand-written marking ${handMarkMs.at(-1)!.toFixed(0)} ms, hand-written job ${handJobMs.at(-1)!.toFixed(0)} ms`)
    }
    log(`  job result: ${JSON.stringify(jobResult)}`)
    return { ...o, seedSeconds, breaches, findMs, handFindMs, jobMs, handMarkMs, markMs, handJobMs, plans, jobResult }
  } finally {
    await app.close()
    if (!o.keep) await target.drop()
    else log(`  kept the database: ${target.url ?? target.dataDir}`)
  }
}

/** The figures as markdown, also written to docs/performance.md between the bench:sla-<kind> markers. */
export function reportSla(r: SlaBenchResult, command: string, file?: string): string {
  const f = median(r.findMs); const hf = median(r.handFindMs); const j = median(r.jobMs); const hm = median(r.handMarkMs); const m = median(r.markMs); const hj = median(r.handJobMs)
  const total = r.breaches.firstResponse + r.breaches.resolution
  const body = [
    `\`${command}\` (${r.kind}): ${r.tickets.toLocaleString('en')} tickets, ${r.open.toLocaleString('en')} open; ${total.toLocaleString('en')} clocks past due`,
    `(${r.breaches.firstResponse} first response, ${r.breaches.resolution} resolution). Medians of ${r.findMs.length} (find) and ${r.jobMs.length} (job) runs.`,
    '',
    '| what | the scan | hand-written SQL | ratio |',
    '|---|---:|---:|---:|',
    `| find the breaches (both clocks) | ${f.toFixed(1)} ms | ${hf.toFixed(1)} ms (one UNION ALL) | ${(f / hf).toFixed(2)}× |`,
    `| find and mark (the scan's SELECT … FOR UPDATE SKIP LOCKED LIMIT 1000, then UPDATE … WHERE id = any(ids)) | ${m.toFixed(0)} ms | ${hm.toFixed(0)} ms (two UPDATE … RETURNING) | ${(m / hm).toFixed(2)}× |`,
    `| the whole job: mark, task the manager, audit, events | ${j.toFixed(0)} ms | ${hj.toFixed(0)} ms (one statement per clock: UPDATE, tasks, events, audit) | ${(j / hj).toFixed(2)}× |`,
    `| the whole job vs marking only | ${j.toFixed(0)} ms | ${hm.toFixed(0)} ms (two UPDATE … RETURNING) | ${(j / hm).toFixed(2)}× |`,
    '',
    `Job result: \`${JSON.stringify(r.jobResult)}\`. Seeding took ${r.seedSeconds.toFixed(0)} s (generate_series).`
  ].join('\n')
  if (file) writeBlock(file, `sla-${r.kind}`, '## Ticket SLA breach scan', body)
  return body
}
