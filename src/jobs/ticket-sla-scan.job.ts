import type { JobDefinition } from './job.js'

/** Ticket SLAs: marks first-response and resolution clocks past due, announces and escalates them (docs/service.md). */
export const ticketSlaScanJob: JobDefinition = {
  name: 'ticket-sla-scan',
  cron: (config) => config.TICKET_SLA_SCAN_CRON,
  run: (services, now) => services.ticketSla.breachScan(now)
}
