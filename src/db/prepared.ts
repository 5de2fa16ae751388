import type { Executor } from './client.js'
import { executorFor } from './request-tx.js'

const statements = new WeakMap<Executor, Map<string, unknown>>()

/**
 * A named prepared statement, built once per database handle: Drizzle builds no SQL per
 * call and PostgreSQL plans it once per connection (docs/performance.md). Use it only for
 * statements whose text never varies (no per-call reach filter, no `in (...)` lists).
 */
export function prepared<T>(ex: Executor, name: string, build: (name: string) => T): T {
  // A statement is bound to its handle: inside a request transaction, one built for it (request-tx.ts).
  ex = executorFor(ex)
  let byName = statements.get(ex)
  if (!byName) statements.set(ex, (byName = new Map()))
  let statement = byName.get(name) as T | undefined
  if (!statement) byName.set(name, (statement = build(name)))
  return statement
}
