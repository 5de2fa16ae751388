import type { Config } from '../config.js'
import type { Services } from '../modules/services.js'

/**
 * A background job: `run` does one pass of its work as of `now` (time is an argument, so
 * tests time-travel by calling it with any date). The queue (src/jobs/queue.ts) runs it
 * on its cron, in one process of many at a time.
 */
export type JobDefinition = {
  /** pg-boss queue name: lower-case words and dashes. */
  name: string
  /** Cron expression (UTC) from the configuration. */
  cron: (config: Config) => string
  run: (services: Services, now: Date) => Promise<Record<string, unknown> | void>
}
