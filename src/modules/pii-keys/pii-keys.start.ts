import type { FastifyInstance } from 'fastify'
import type { Actor } from '../auth/actor.js'
import type { PiiKeyStatus } from './pii-keys.service.js'

/**
 * Starts the re-seal for both transports: queued as the pii-reseal job where this process
 * runs jobs; otherwise (JOBS_ENABLED=false, a laptop) run within the request.
 */
export async function startReseal(app: FastifyInstance, actor: Actor): Promise<{ queued: boolean; status: PiiKeyStatus }> {
  const service = app.services.piiKeys
  await service.requestReseal(actor)
  // A null id from send: a pass is already queued (one at a time per job), which will do.
  if (app.jobs) await app.jobs.send('pii-reseal')
  else await service.reseal()
  const queued = app.jobs !== null
  return { queued, status: await service.currentStatus() }
}
