import type { JobDefinition } from './job.js'

/**
 * Messages held by quiet hours go out when the customer's morning comes (docs/guardrails.md):
 * consent and caps checked again, too old ones dropped with their reason.
 */
export const heldMessagesJob: JobDefinition = {
  name: 'held-messages',
  cron: (config) => config.HELD_MESSAGES_CRON,
  run: (services, now) => services.messageGate.releaseHeld(now)
}
