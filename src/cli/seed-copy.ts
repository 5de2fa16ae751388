import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { PGlite, Transaction } from '@electric-sql/pglite'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Database } from '../db/client.js'

/**
 * COPY plumbing for the seeder: rows go to the database in PostgreSQL's text format, a
 * chunk per transaction. On PostgreSQL the rows stream out as they are generated (with
 * backpressure, so memory stays flat however many rows); PGlite has no socket to stream
 * to, so a chunk is gathered into a Blob and read by `COPY … FROM '/dev/blob'`.
 */

export { copyLine, type CopyValue } from '../db/copy.js'

/** Copies `lines` (each a whole row, newline included) into `table`'s `columns`; returns the row count. */
export type CopyInto = (table: string, columns: readonly string[], lines: Iterable<string>) => Promise<number>

export type CopyTarget = {
  /** Runs `work` in one transaction: everything it copied commits together or not at all. */
  transaction<T>(work: (copy: CopyInto) => Promise<T>): Promise<T>
  /** Gives back the connection (the database itself stays open). */
  release(): void
}

// Rows are small: handing them to the socket (or the Blob) ~64 KB at a time saves a
// write call and a buffer per row.
function* batched(lines: Iterable<string>, counter: { rows: number }): Generator<string> {
  let buffer = ''
  for (const line of lines) {
    buffer += line
    counter.rows++
    if (buffer.length >= 65_536) { yield buffer; buffer = '' }
  }
  if (buffer) yield buffer
}

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `copy ${table} (${columns.join(', ')}) from ${source}`
}

/**
 * A COPY target on the database the app opened (src/db/client.ts). `withoutTriggers`:
 * each transaction runs with `session_replication_role = replica`, so foreign keys are
 * not checked (superuser only): referrals and leads point at each other, and the seeder
 * writes them consistent by construction.
 */
export async function copyTarget(database: Database, withoutTriggers = false): Promise<CopyTarget> {
  const begin = withoutTriggers ? ['set local session_replication_role = replica'] : []
  if (database.kind === 'postgres') return pgTarget(await database.pool!.connect(), begin)
  return pgliteTarget(database.pglite!, begin)
}

function pgTarget(client: pg.PoolClient, begin: string[]): CopyTarget {
  const copy: CopyInto = async (table, columns, lines) => {
    const counter = { rows: 0 }
    const stream = client.query(copyFrom(copyStatement(table, columns, 'stdin')))
    await pipeline(Readable.from(batched(lines, counter), { objectMode: false }), stream)
    return counter.rows
  }
  return {
    async transaction(work) {
      await client.query('begin')
      try {
        for (const statement of begin) await client.query(statement)
        const result = await work(copy)
        await client.query('commit')
        return result
      } catch (err) {
        await client.query('rollback').catch(() => {})
        throw err
      }
    },
    release: () => client.release()
  }
}

function pgliteTarget(pglite: PGlite, begin: string[]): CopyTarget {
  const copyIn = (tx: Transaction): CopyInto => async (table, columns, lines) => {
    const counter = { rows: 0 }
    const blob = new Blob([...batched(lines, counter)])
    if (counter.rows > 0) await tx.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob })
    return counter.rows
  }
  return {
    transaction: (work) => pglite.transaction(async (tx) => {
      for (const statement of begin) await tx.query(statement)
      return work(copyIn(tx))
    }),
    release: () => {}
  }
}
