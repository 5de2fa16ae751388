import type { Executor } from './client.js'

const statements = new WeakMap<Executor, Map<string, unknown>>()

/**
 * A named prepared statement, built once per database handle: Drizzle builds no SQL per
 * call and PostgreSQL plans it once per connection (docs/performance.md). Use it only for
 * statements whose text never varies (no per-call reach filter, no `in (...)` lists).
 */
export function prepared<T>(ex: Executor, name: string, build: (name: string) => T): T {
  let byName = statements.get(ex)
  if (!byName) statements.set(ex, (byName = new Map()))
  let statement = byName.get(name) as T | undefined
  if (!statement) byName.set(name, (statement = build(name)))
  return statement
}
