import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from './client.js'

/**
 * The rows of a hand-written statement, on either driver (both answer `{ rows }`). `T` is
 * what the statement selects, as the caller knows it; nothing checks it at run time.
 */
export async function rows<T = Record<string, unknown>>(ex: Executor, query: SQL): Promise<T[]> {
  return ((await ex.execute(query)) as unknown as { rows: T[] }).rows
}

/** A time as a timestamptz literal parameter. */
export const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`
