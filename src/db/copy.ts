import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Transaction } from '@electric-sql/pglite'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Tx } from './client.js'

/**
 * COPY … FROM STDIN inside an open Drizzle transaction, on either driver: PostgreSQL
 * streams the rows over the transaction's own connection (pg-copy-streams); PGlite has no
 * socket, so the rows go as one Blob read by `COPY … FROM '/dev/blob'`. Rows are lines in
 * PostgreSQL's text format (copyLine).
 */

/** What a column can hold: text, a number, NULL, a text[] or a jsonb value. */
export type CopyValue = string | number | boolean | null | readonly string[] | Record<string, unknown>

const SPECIAL = /[\\\t\n\r]/
const SPECIAL_ALL = /[\\\t\n\r]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' }

function escapeText(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value
}

function field(value: CopyValue): string {
  if (value === null) return '\\N'
  if (typeof value === 'string') return escapeText(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return escapeText(`{${value.map((v: string) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`)
  return escapeText(JSON.stringify(value))
}

/** One row in COPY text format, newline included. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = field(values[0])
  for (let i = 1; i < values.length; i++) line += `\t${field(values[i])}`
  return `${line}\n`
}

type DriverClient = pg.PoolClient | Transaction

// Drizzle keeps the driver's handle of a transaction on its session: a pool client on
// PostgreSQL (it has `release`), PGlite's Transaction otherwise.
function driverOf(tx: Tx): DriverClient {
  return (tx._.session as unknown as { client: DriverClient }).client
}

const isPg = (client: DriverClient): client is pg.PoolClient => 'release' in client

// Rows are small: ~64 KB per CopyData message saves a socket write and a buffer per row.
function* batched(lines: readonly string[]): Generator<string> {
  let buffer = ''
  for (const line of lines) {
    buffer += line
    if (buffer.length >= 65_536) { yield buffer; buffer = '' }
  }
  if (buffer) yield buffer
}

/** Copies `text` (whole lines, each a row) into `table (columns)` within `tx`. */
export async function copyIntoTx(tx: Tx, table: string, columns: readonly string[], text: readonly string[]): Promise<void> {
  if (text.length === 0) return
  const statement = `copy ${table} (${columns.join(', ')}) from`
  const client = driverOf(tx)
  if (isPg(client)) {
    await pipeline(Readable.from(batched(text), { objectMode: false }), client.query(copyFrom(`${statement} stdin`)))
    return
  }
  await client.query(`${statement} '/dev/blob'`, [], { blob: new Blob(text as string[]) })
}
