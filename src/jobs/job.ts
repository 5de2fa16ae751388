import type { Config } from '../config.js'
import type { Services } from '../modules/services.js'

/**
 * A background job: `run` does one pass of its work as of `now` (time is an argument, so
 * tests time-travel by calling it with any date). The queue (src/jobs/queue.ts) runs it
 * on its cron, in one process of many at a time.
 */
/**
 * What a run may report besides its result: one item of its work failed (it is logged with
 * its error and counted in crm_job_item_failures_total) and the run goes on.
 */
export type JobIo = { itemFailed(err: unknown, item: Record<string, unknown>): void }

export type JobDefinition = {
  /** pg-boss queue name: lower-case words and dashes. */
  name: string
  /** Cron expression (UTC) from the configuration. */
  cron: (config: Config) => string
  run: (services: Services, now: Date, io?: JobIo) => Promise<Record<string, unknown> | void>
}
