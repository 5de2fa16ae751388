import { Readable } from 'node:stream'
import type { Reward } from './rewards.views.js'

/** The CSV columns, in order (the explanation stays in NDJSON: it is a JSON object). */
export const csvColumns = [
  'id', 'kind', 'status', 'trigger', 'eventKey', 'ruleId', 'beneficiaryType', 'beneficiaryId', 'referrerId', 'customerId',
  'referralId', 'orderId', 'campaignId', 'rewardType', 'amount', 'currency', 'couponCode', 'holdUntil', 'approvedAt', 'approvedBy',
  'paidAt', 'payoutReference', 'cancelledAt', 'cancelReason', 'reversesId', 'version', 'createdAt', 'updatedAt'
] as const

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
 * spreadsheet would run as a formula (= + - @ at the start) is prefixed with `'`.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'number') return String(value)
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export const csvLine = (row: Reward) => `${csvColumns.map((c) => csvCell(row[c])).join(',')}\r\n`
export const ndjsonLine = (row: Reward) => `${JSON.stringify(row)}\n`

/**
 * A stream of the export: the first row was already read (so errors surface before the
 * response starts), the rest are pulled as the client reads.
 */
export function exportStream(first: IteratorResult<Reward>, rest: AsyncGenerator<Reward>, format: 'ndjson' | 'csv'): Readable {
  const line = format === 'csv' ? csvLine : ndjsonLine
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield `${csvColumns.join(',')}\r\n`
    if (first.done) return
    yield line(first.value)
    for await (const row of rest) yield line(row)
  }
  return Readable.from(lines())
}
