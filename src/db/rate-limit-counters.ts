import type { Database } from './client.js'

/** A key's count in its current window and the milliseconds until that window ends. */
export type CounterState = { current: number; ttl: number }

// One statement per hit: a new key (or one whose window has ended) starts a window of `$2` ms at
// 1; a live one counts up. The database's clock decides, so processes with skewed clocks agree.
// `least` keeps a flood from overflowing the integer.
const HIT = `insert into rate_limit_counters as c (key, hits, resets_at)
values ($1, 1, now() + $2::float8 * interval '1 millisecond')
on conflict (key) do update set
  hits = case when c.resets_at > now() then least(c.hits, 2147483646) + 1 else 1 end,
  resets_at = case when c.resets_at > now() then c.resets_at else excluded.resets_at end
returning hits, ceil(extract(epoch from resets_at - now()) * 1000)::int4 as ttl`

const REFUND = 'update rate_limit_counters set hits = hits - 1 where key = $1 and hits > 0 and resets_at > now()'
const PRUNE = 'delete from rate_limit_counters where resets_at <= now()'

/**
 * The rate-limit counters in the database (src/db/schema/rate-limits.ts), shared by every API
 * process. Statements go straight to the driver: not through the ORM's query log (they are not
 * the request's business statements; /metrics counts them apart), and never into a request's
 * transaction (a rolled-back request still counted).
 */
export class RateLimitCounters {
  private readonly exec: (name: string, text: string, values: unknown[]) => Promise<Record<string, unknown>[]>

  constructor(database: Pick<Database, 'pool' | 'pglite'>, private readonly onStatement: () => void = () => {}) {
    const { pool, pglite } = database
    if (pool) this.exec = async (name, text, values) => (await pool.query({ name, text, values })).rows
    else if (pglite) this.exec = async (_name, text, values) => (await pglite.query<Record<string, unknown>>(text, values)).rows
    else throw new Error('rate-limit counters need a database')
  }

  /** Counts one hit of `key` in its window of `windowMs`; the count so far (this hit included) and the time left. */
  async hit(key: string, windowMs: number): Promise<CounterState> {
    this.onStatement()
    const [row] = await this.exec('rate_limit_hit', HIT, [key, windowMs])
    return { current: Number(row.hits), ttl: Math.max(0, Number(row.ttl)) }
  }

  /** Takes one hit back (a token request that succeeded is not a failure). */
  async refund(key: string): Promise<void> {
    this.onStatement()
    await this.exec('rate_limit_refund', REFUND, [key])
  }

  /** Deletes the rows whose window has ended (a later hit would start a new window anyway). */
  async prune(): Promise<void> {
    this.onStatement()
    await this.exec('rate_limit_prune', PRUNE, [])
  }
}
