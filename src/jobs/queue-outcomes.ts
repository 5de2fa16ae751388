import { createRequire } from 'node:module'
import type { FastifyBaseLogger } from 'fastify'
import type PgBoss from 'pg-boss'

// pg-boss's own SQL texts (pinned version), to recognise its statements exactly.
const plans = createRequire(import.meta.url)('pg-boss/src/plans') as {
  completeJobs(schema: string): string
  failJobsById(schema: string): string
}

/**
 * pg-boss 10's worker records a run's outcome (complete or fail) without awaiting it. When
 * the database goes away just as a run ends, that write rejects with nobody listening: an
 * unhandled rejection, which close-with-grace turns into a shutdown. The queue's own
 * connection answers those two statements: a failure is logged and reported as "no job
 * changed", so the process keeps going; the run stays active until it expires and pg-boss
 * retries it (every job is safe to run twice: each locks the rows it changes).
 * Every other statement fails as before (pg-boss awaits and reports those itself).
 */
export function guardJobOutcomes(db: PgBoss.Db, schema: string, log: FastifyBaseLogger): void {
  const outcomes = new Map([[plans.completeJobs(schema), 'complete'], [plans.failJobsById(schema), 'fail']])
  const executeSql = db.executeSql.bind(db)
  db.executeSql = async (text: string, values: unknown[]) => {
    const outcome = outcomes.get(text)
    if (!outcome) return executeSql(text, values)
    try {
      return await executeSql(text, values)
    } catch (err) {
      log.error({ err, queue: values?.[0], jobs: values?.[1], outcome }, 'could not record a job run\'s outcome; it runs again after it expires')
      return { rows: [{ count: '0' }] }
    }
  }
}
