import type { TestApp } from '../../helper.js'

/**
 * Stored RFM scores for read-side tests, written straight into customer_scores and
 * scoring_state as a recompute would leave them (the recompute itself is tested elsewhere).
 */
export const AS_OF = '2026-03-10T12:00:00.000Z'
export const DAY = 86_400_000

export type StoredScores = {
  r: number; f: number; m: number; segment: string
  frequency: number; monetary: number
  /** The last counted payment in the window; recency = whole days from it to the run's asOf. */
  recencyFrom: string
  computedAt?: string
}

/** `AS_OF` minus `days` (fractions allowed), as ISO text with microseconds kept by Postgres. */
export const before = (days: number, asOf = AS_OF) => new Date(Date.parse(asOf) - days * DAY).toISOString()

/** Stores the scores of a customer; null leaves the customer unscored with only its order aggregates. */
export async function setScores(ctx: TestApp, customerId: string, s: StoredScores | null): Promise<void> {
  if (s === null) {
    await ctx.sql(`insert into customer_scores (customer_id, paid_orders, net_paid, last_paid_at) values ($1, 1, 1000, $2)
      on conflict (customer_id) do update set recency_from = null, frequency = null, monetary = null, r = null, f = null, m = null, segment = null, computed_at = null`,
    [customerId, before(400)])
    return
  }
  await ctx.sql(`insert into customer_scores (customer_id, paid_orders, net_paid, last_paid_at, recency_from, frequency, monetary, r, f, m, segment, computed_at)
    values ($1, $2, $3, $4, $4, $2, $3, $5, $6, $7, $8, $9)
    on conflict (customer_id) do update set recency_from = excluded.recency_from, frequency = excluded.frequency, monetary = excluded.monetary,
      r = excluded.r, f = excluded.f, m = excluded.m, segment = excluded.segment, computed_at = excluded.computed_at`,
  [customerId, s.frequency, s.monetary, s.recencyFrom, s.r, s.f, s.m, s.segment, s.computedAt ?? AS_OF])
}

/** Records a finished recompute as of `asOf` (null: never run). */
export async function setLastRun(ctx: TestApp, asOf: string | null): Promise<void> {
  await ctx.sql('update scoring_state set last_as_of = $1 where id = 1', [asOf])
}

/** Twelve customers tagged `rfm` with ties on every score, three of them unscored (one with a row of null scores). */
export const seed: { name: string; mine: boolean; scores: StoredScores | null | 'none' }[] = [
  { name: 'R0', mine: true, scores: { r: 5, f: 5, m: 5, segment: 'Champions', frequency: 12, monetary: 900_000, recencyFrom: before(1) } },
  // Three days less a microsecond: still 2 whole days.
  { name: 'R1', mine: true, scores: { r: 5, f: 4, m: 2, segment: 'Loyal', frequency: 6, monetary: 120_000, recencyFrom: '2026-03-07T12:00:00.000001Z' } },
  { name: 'R2', mine: true, scores: { r: 5, f: 1, m: 1, segment: 'New', frequency: 1, monetary: 5_000, recencyFrom: before(3) } },
  { name: 'R3', mine: false, scores: { r: 4, f: 4, m: 4, segment: 'Champions', frequency: 6, monetary: 300_000, recencyFrom: before(20) } },
  { name: 'R4', mine: false, scores: { r: 3, f: 2, m: 3, segment: 'Need Attention', frequency: 2, monetary: 300_000, recencyFrom: before(60) } },
  { name: 'R5', mine: true, scores: { r: 1, f: 1, m: 1, segment: 'Lost', frequency: 1, monetary: 5_000, recencyFrom: before(300) } },
  { name: 'R6', mine: false, scores: { r: 1, f: 5, m: 5, segment: "Can't Lose Them", frequency: 12, monetary: 900_000, recencyFrom: before(290) } },
  { name: 'R7', mine: false, scores: { r: 2, f: 1, m: 2, segment: 'Hibernating', frequency: 1, monetary: 20_000, recencyFrom: before(150) } },
  { name: 'R8', mine: true, scores: null },
  { name: 'R9', mine: true, scores: 'none' },
  { name: 'R10', mine: false, scores: 'none' },
  { name: 'R11', mine: false, scores: { r: 5, f: 5, m: 5, segment: 'Champions', frequency: 12, monetary: 900_000, recencyFrom: before(0.25) } }
]

/** Creates the seed's customers (owned by `mine` or `other`), stores their scores and the run; ids by name. */
export async function seedScores(ctx: TestApp, owners: { mine: string; other: string }, tag = 'rfm'): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  for (const c of seed) {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: c.name, tags: [tag], ownerId: c.mine ? owners.mine : owners.other })
    ids[c.name] = res.json().id
    if (c.scores !== 'none') await setScores(ctx, ids[c.name], c.scores)
  }
  await setLastRun(ctx, AS_OF)
  return ids
}
