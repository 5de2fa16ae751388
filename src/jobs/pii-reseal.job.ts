import type { JobDefinition } from './job.js'

/**
 * PII key rotation (docs/security.md): every sealed value under an old key sealed again with
 * the current PII_KEY, and its blind index rebuilt, in batches. An admin starts it at once
 * (startPiiReseal, POST /api/v1/pii-keys/reseal); the schedule finishes what a pass left
 * (rows locked by writers, a process that stopped). Nothing to do without PII_KEYS_PREVIOUS.
 */
export const piiResealJob: JobDefinition = {
  name: 'pii-reseal',
  cron: (config) => config.PII_RESEAL_CRON,
  run: (services, _now, io) => services.piiKeys.reseal(io)
}
