import fp from 'fastify-plugin'
import type { Services } from '../modules/services.js'
import type { JobDefinition } from '../jobs/job.js'
import { startJobQueue, type JobQueue } from '../jobs/queue.js'
import { jobMetrics } from '../jobs/job-observer.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The background job queue; null when JOBS_ENABLED is false in this process. */
    jobs: JobQueue | null
  }
}

export type JobsPluginOptions = { services: Services; jobs: readonly JobDefinition[] }

/**
 * Starts the pg-boss queue when JOBS_ENABLED; each run is logged and counted in /metrics
 * (crm_job_runs_total, crm_job_duration_seconds). It stops before the database closes
 * (preClose), letting a running job finish within SHUTDOWN_GRACE_MS.
 */
export default fp<JobsPluginOptions>(async (app, opts) => {
  if (!app.config.JOBS_ENABLED) {
    app.decorate('jobs', null)
    return
  }
  const queue = await startJobQueue({
    database: app.database, url: app.config.DATABASE_URL, config: app.config, services: opts.services, jobs: opts.jobs, log: app.log,
    metrics: jobMetrics(app.metrics.registry, opts.jobs)
  })
  app.decorate('jobs', queue)
  app.addHook('preClose', async () => { await queue.stop() })
}, { name: 'jobs', dependencies: ['db', 'metrics'] })
