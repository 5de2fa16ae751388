import type { FastifyBaseLogger } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'
import { loggableError } from '../lib/error-summary.js'
import type { Services } from '../modules/services.js'
import type { JobDefinition, JobIo } from './job.js'

/** Runs per job and outcome, and how long they took (docs/operations.md). */
export type JobMetrics = { runs: Counter<'job' | 'outcome'>; duration: Histogram<'job' | 'outcome'>; itemFailures: Counter<'job'> }

const OUTCOMES = ['success', 'failure'] as const

/**
 * The job metrics, registered once per registry. Every job's series start at zero, so an
 * alert on "no success in a day" or on any failure sees the job before its first run.
 */
export function jobMetrics(registry: Registry, jobs: readonly JobDefinition[]): JobMetrics {
  const metrics: JobMetrics = {
    runs: new Counter({ name: 'crm_job_runs_total', help: 'Background job runs by job and outcome (success, failure)', labelNames: ['job', 'outcome'], registers: [registry] }),
    duration: new Histogram({
      name: 'crm_job_duration_seconds', help: 'Background job run duration by job and outcome', labelNames: ['job', 'outcome'],
      buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600], registers: [registry]
    }),
    itemFailures: new Counter({
      name: 'crm_job_item_failures_total', help: 'Items of a job run that failed while the run went on (e.g. one customer of the level review), by job',
      labelNames: ['job'], registers: [registry]
    })
  }
  for (const job of jobs) {
    for (const outcome of OUTCOMES) metrics.runs.labels(job.name, outcome).inc(0)
    metrics.itemFailures.labels(job.name).inc(0)
  }
  return metrics
}

export type ObserveOptions = { log: FastifyBaseLogger; metrics?: JobMetrics; jobId?: string }

/**
 * One run of a job, observed: a log line when it starts, one when it ends (with its duration
 * and what it did) or fails (with the error, summarised: no query text or parameters), and
 * the run counted by outcome. A failure is thrown on, so the queue records it and retries.
 */
export async function runObserved(job: JobDefinition, services: Services, now: Date, opts: ObserveOptions): Promise<Record<string, unknown> | void> {
  const { log, metrics, jobId } = opts
  const ids = { job: job.name, ...(jobId ? { jobId } : {}) }
  const started = performance.now()
  const seconds = () => (performance.now() - started) / 1000
  log.info(ids, 'job started')
  const io: JobIo = {
    itemFailed(err, item) {
      metrics?.itemFailures.labels(job.name).inc()
      log.error({ ...ids, ...item, error: loggableError(err) }, 'job item failed')
    }
  }
  try {
    const result = await job.run(services, now, io)
    const elapsed = seconds()
    metrics?.runs.labels(job.name, 'success').inc()
    metrics?.duration.labels(job.name, 'success').observe(elapsed)
    log.info({ ...ids, durationMs: Math.round(elapsed * 1000), result }, 'job finished')
    return result
  } catch (err) {
    const elapsed = seconds()
    metrics?.runs.labels(job.name, 'failure').inc()
    metrics?.duration.labels(job.name, 'failure').observe(elapsed)
    // Not `err`: pino's error serializer would retype the summary; `error` is logged as given.
    log.error({ ...ids, durationMs: Math.round(elapsed * 1000), error: loggableError(err) }, 'job failed')
    throw err
  }
}
