import { invalid } from '../../errors.js'
import type { UpsertSpec } from './import-table.js'

/** The `given` bits of a validated row: a bit for each field it names (null included). */
export function given(spec: UpsertSpec, data: Record<string, unknown>): number {
  let mask = 0
  spec.fields.forEach((f, i) => { if (data[f.key] !== undefined) mask |= 1 << i })
  return mask
}

/**
 * A YYYY-MM-DD the pattern let through must also be a day of the calendar (no 02-30):
 * a single write would hear that from the database; a COPY would fail the whole chunk.
 */
export function calendarDate(field: string, value: string): void {
  const date = new Date(`${value}T00:00:00Z`)
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw invalid(field, 'is not a valid date', 'MALFORMED')
}
