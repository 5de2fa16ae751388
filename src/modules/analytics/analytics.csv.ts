import { stringify } from 'csv-stringify/sync'

/** A report flattened for a spreadsheet: a header row and rows of plain values. */
export type CsvTable = { columns: string[]; rows: unknown[][] }

// A cell a spreadsheet would run as a formula (CSV injection): text starting with one of these.
const FORMULA_START = /^[=+\-@\t\r]/

function cell(value: unknown): string | number {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isFinite(value) ? value : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (value instanceof Date) return value.toISOString()
  const text = String(value)
  return FORMULA_START.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text) ? `'${text}` : text
}

/**
 * RFC 4180 CSV, UTF-8 with a byte order mark so Excel opens Chinese text correctly, CRLF
 * line ends; text that a spreadsheet would take for a formula is prefixed with '.
 */
export function toCsv(table: CsvTable): string {
  return stringify([table.columns, ...table.rows.map((r) => r.map(cell))], { bom: true, record_delimiter: 'windows' })
}
