import type { PGlite } from '@electric-sql/pglite'
import type { FastifyBaseLogger } from 'fastify'
import PgBoss from 'pg-boss'
import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import type { Services } from '../modules/services.js'
import type { JobDefinition } from './job.js'
import { guardJobOutcomes } from './queue-outcomes.js'
import { runObserved, type JobMetrics } from './job-observer.js'

export type JobQueue = {
  /** Puts one run of a job on its queue now (any process's worker may take it). */
  send(name: string): Promise<string | null>
  stop(): Promise<void>
}

export type QueueOptions = {
  database: Database
  url?: string
  config: Config
  services: Services
  jobs: readonly JobDefinition[]
  log: FastifyBaseLogger
  /** Counts and times each run (src/jobs/job-observer.ts). */
  metrics?: JobMetrics
}

const SCHEMA = 'pgboss'

/**
 * pg-boss over the app's embedded PGlite: one connection shared with the app, so every
 * statement queues behind the app's own. pg-boss sends its schema set-up as one
 * multi-statement text without parameters, which only the simple protocol (`exec`) runs.
 * After `close`, late polls get no rows instead of touching a closed database.
 */
function pgliteDb(pglite: PGlite) {
  let closed = false
  const pending = new Set<Promise<unknown>>()
  return {
    async executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> {
      if (closed) return { rows: [] }
      const run = values && values.length > 0
        ? pglite.query(text, values).then((r) => ({ rows: r.rows }))
        : pglite.exec(text).then((results) => ({ rows: results.at(-1)?.rows ?? [] }))
      pending.add(run)
      try {
        return await run
      } finally {
        pending.delete(run)
      }
    },
    async close(): Promise<void> {
      closed = true
      await Promise.allSettled([...pending])
    }
  }
}

/**
 * Starts the job queue: pg-boss in its own schema, on PostgreSQL with its own small pool,
 * on PGlite through the app's handle. Each job gets a queue, its cron schedule (pg-boss
 * lets one process of many enqueue each tick) and a worker here; any process may run it.
 */
export async function startJobQueue(opts: QueueOptions): Promise<JobQueue> {
  const { database, services, config, jobs, log } = opts
  const embedded = database.kind === 'pglite' ? pgliteDb(database.pglite!) : null
  const boss = new PgBoss(embedded
    ? { db: embedded, schema: SCHEMA }
    : { connectionString: opts.url, max: 3, application_name: 'referral-crm-jobs', schema: SCHEMA })
  boss.on('error', (err) => log.error({ err }, 'job queue error'))
  guardJobOutcomes(boss.getDb(), SCHEMA, log)
  await boss.start()
  for (const job of jobs) {
    // stately: at most one run waiting and one running, so a slow run never piles up.
    await boss.createQueue(job.name, { name: job.name, policy: 'stately', retryLimit: 1 })
    await boss.schedule(job.name, job.cron(config), {}, { tz: 'UTC' })
    // Logged, counted and timed; a failure is thrown on, so pg-boss records it and retries once.
    await boss.work(job.name, async ([taken]) => {
      await runObserved(job, services, new Date(), { log, metrics: opts.metrics, jobId: taken?.id })
    })
  }
  log.info({ jobs: jobs.map((j) => j.name) }, 'job queue started')
  return {
    send: (name) => boss.send(name, {}),
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(config.SHUTDOWN_GRACE_MS, 1000) })
      await embedded?.close()
    }
  }
}
