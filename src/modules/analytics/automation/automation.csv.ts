import type { CsvTable } from '../analytics.csv.js'
import type { AutomationReport } from './automation.report.js'
import type { MessageCounts, StepOutcomes } from './automation.views.js'

const OUTCOMES: (keyof StepOutcomes)[] = ['ran', 'completed', 'skipped', 'held', 'capped', 'blocked', 'failed']
const MESSAGES: (keyof MessageCounts)[] = ['total', 'queued', 'held', 'sent', 'failed', 'capped', 'blocked', 'dropped']

/**
 * The automation report as one table: a `journey` row per journey (with its conversions; revenue
 * in `revenue` as currency:amount pairs), a `step` row per step, a `channel` row per channel.
 */
export function automationCsv(r: AutomationReport): CsvTable {
  const columns = [
    'section', 'journeyId', 'name', 'stepKey', 'stepType', 'channelKind', 'entered',
    ...OUTCOMES.map((k) => `steps_${k}`), ...MESSAGES.map((k) => `messages_${k}`),
    'orderConversions', 'orders', 'revenue', 'referralConversions', 'referrals', 'attempts', 'failedAttempts', 'latencyMedianMs', 'latencyP95Ms'
  ]
  const rows: unknown[][] = []
  for (const j of r.journeys) {
    const c = j.conversions
    rows.push(['journey', j.journeyId, j.name, null, null, null, j.entered, ...OUTCOMES.map((k) => j.outcomes[k]), ...MESSAGES.map((k) => j.messages[k]),
      c.orderConversions, c.orders, c.revenue.map((m) => `${m.currency}:${m.amount}`).join(' '), c.referralConversions, c.referrals, null, null, null, null])
    for (const s of j.steps) {
      rows.push(['step', j.journeyId, j.name, s.stepKey, s.stepType, null, null, ...OUTCOMES.map((k) => s.outcomes[k]), ...MESSAGES.map((k) => s.messages[k]),
        null, null, null, null, null, null, null, null, null])
    }
  }
  for (const ch of r.channels) {
    rows.push(['channel', null, ch.name, null, null, ch.kind, null, ...OUTCOMES.map(() => null), ...MESSAGES.map((k) => ch.messages[k]),
      null, null, null, null, null, ch.attempts, ch.failedAttempts, ch.latency.medianMs, ch.latency.p95Ms])
  }
  return { columns, rows }
}
