import { createRequire } from 'node:module'
import type { FastifyBaseLogger } from 'fastify'
import type PgBoss from 'pg-boss'

// pg-boss's own SQL texts (pinned version), to recognise its statements exactly.
const plans = createRequire(import.meta.url)('pg-boss/src/plans') as {
  completeJobs(schema: string): string
  failJobsById(schema: string): string
  fetchNextJob(schema: string): (options: { includeMetadata?: boolean; priority?: boolean; ignoreStartAfter?: boolean }) => string
}

/**
 * Covers two statements pg-boss 10 runs without reporting their failure, on the queue's
 * connection (whatever it is), so a database outage is neither fatal nor silent:
 *
 * - A worker records a run's outcome (complete or fail) without awaiting it. When the
 *   database went away just as a run ended, that write's rejection had no handler: an
 *   unhandled rejection, which close-with-grace turns into a shutdown. Now the failure is
 *   logged and reported to pg-boss as "no job changed"; the run stays active until it expires
 *   and pg-boss retries it (each job locks the rows it changes, so a second run is harmless).
 * - A worker's poll for work swallows its error and polls again. It is logged now, and still
 *   thrown to pg-boss, which carries on as before.
 *
 * Every other statement fails as before: pg-boss awaits those and emits 'error'.
 */
export function guardJobOutcomes(db: PgBoss.Db, schema: string, log: FastifyBaseLogger): void {
  const outcomes = new Map([[plans.completeJobs(schema), 'complete'], [plans.failJobsById(schema), 'fail']])
  const fetches = new Set<string>()
  for (const includeMetadata of [false, true]) {
    for (const priority of [false, true]) {
      for (const ignoreStartAfter of [false, true]) fetches.add(plans.fetchNextJob(schema)({ includeMetadata, priority, ignoreStartAfter }))
    }
  }
  const executeSql = db.executeSql.bind(db)
  db.executeSql = async (text: string, values: unknown[]) => {
    const outcome = outcomes.get(text)
    if (!outcome && !fetches.has(text)) return executeSql(text, values)
    try {
      return await executeSql(text, values)
    } catch (err) {
      if (!outcome) {
        log.error({ err, queue: values?.[0] }, 'job queue could not fetch work; it polls again')
        throw err
      }
      log.error({ err, queue: values?.[0], jobs: values?.[1], outcome }, 'could not record a job run\'s outcome; it runs again after it expires')
      return { rows: [{ count: '0' }] }
    }
  }
}
