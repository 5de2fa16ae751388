import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, uuid } from 'drizzle-orm/pg-core'
import { id, tstz } from './columns.js'
import { customerTierEnum, lifecycleStageEnum } from './enums.js'
import { customers } from './customers.js'

/**
 * Per-customer order aggregates and RFM scores (docs/scoring.md). The aggregates are kept by
 * the orders module in the same transaction as each order, refund, correction or merge, so
 * rescoring reads one narrow row per customer instead of every order. They count RFM's
 * "counted" orders (paid, not fully refunded) over all time; `old*` are the part paid before
 * `scoring_state.window_from`, so the window's figures are the difference.
 * The scores are what the last recomputeRfm stored; null while the customer is unscored.
 */
export const customerScores = pgTable('customer_scores', {
  customerId: uuid().primaryKey().references(() => customers.id),
  paidOrders: integer().notNull().default(0),
  netPaid: bigint({ mode: 'number' }).notNull().default(0),
  lastPaidAt: tstz(),
  oldOrders: integer().notNull().default(0),
  oldNet: bigint({ mode: 'number' }).notNull().default(0),
  /**
   * The last counted payment as of the run (every buyer's, scored or not): recency = whole
   * days from it to the run's asOf. Indexed, like frequency and monetary, so a nightly run
   * finds the rows whose scores a moved cut or a day's passing can change (scoring.candidates.ts).
   */
  recencyFrom: tstz(),
  frequency: integer(),
  monetary: bigint({ mode: 'number' }),
  r: smallint(),
  f: smallint(),
  m: smallint(),
  segment: text(),
  /** The tier and stage scoring last placed on the customer: a run compares with these, not the wide customers row. */
  placedTier: customerTierEnum(),
  placedStage: lifecycleStageEnum(),
  computedAt: tstz()
}, (t) => [
  // Only the columns a run writes are indexed, never the aggregates the order writes change,
  // so an order's update stays HOT (fillfactor 80, migration 0005). A run's rewrite of the
  // scores alone (a moved cut) is HOT too; one that moves frequency, money or recency is not.
  index('customer_scores_recency_from_idx').on(t.recencyFrom),
  index('customer_scores_frequency_idx').on(t.frequency),
  index('customer_scores_monetary_idx').on(t.monetary),
  // Those scoring placed by interest alone (no purchase): the nightly run re-asks each of them.
  index('customer_scores_by_interest_idx').on(t.customerId).where(sql`placed_tier = 'B' or (placed_tier is null and placed_stage = 'nurturing')`),
  check('customer_scores_old_within_all', sql`${t.oldOrders} >= 0 and ${t.oldOrders} <= ${t.paidOrders}`)
])

/**
 * The one row (id 1) saying where the window's edge stands: `old*` in customer_scores cover
 * counted orders paid before `windowFrom`, for a window of `windowDays` (null: all time).
 * Only a recompute moves it, under an exclusive advisory lock that order writes touching
 * payments near the edge share.
 */
export const scoringState = pgTable('scoring_state', {
  id: smallint().primaryKey(),
  windowDays: integer(),
  windowFrom: tstz().notNull().default(sql`'-infinity'`),
  lastRunId: uuid(),
  lastAsOf: tstz(),
  /** The money buckets that held the last run's cuts: the next run reads their values in its first scan (scoring.cuts.ts). */
  moneyCutBuckets: integer().array(),
  /** The last run's cut values ({ r, f, m }, rfm-cuts.ts): the nightly run rescores only rows between these and its own. */
  cuts: jsonb().$type<{ r: number[]; f: number[]; m: number[] }>(),
  /** The configuration the last run placed by (segments, tier and stage thresholds): another one needs a full pass. */
  configKey: text()
}, () => [check('scoring_state_one_row', sql`id = 1`)])

/**
 * One recomputeRfm: when, how, what it found (counts per segment, tier and stage, changes).
 * A run that failed is recorded too, after its transaction rolled back: status 'failed', the
 * error's message, `finishedAt` when it failed, and an empty summary.
 */
export const scoringRuns = pgTable('scoring_runs', {
  id: id(),
  kind: text().$type<'incremental' | 'rebuild'>().notNull(),
  asOf: tstz().notNull(),
  startedAt: tstz().notNull(),
  finishedAt: tstz().notNull(),
  summary: jsonb().$type<Record<string, unknown>>().notNull(),
  status: text().$type<'succeeded' | 'failed'>().notNull().default('succeeded'),
  error: text()
}, (t) => [
  index('scoring_runs_as_of_idx').on(t.asOf),
  check('scoring_runs_status', sql`${t.status} in ('succeeded', 'failed')`)
])

/**
 * Customers whose aggregates changed since the last run (an order, refund, correction, merge
 * or return): the nightly run rescores them. Each write bumps `marks`; a run removes the
 * entries it read only if no write came after, so none is lost to a race.
 */
export const scoringDirty = pgTable('scoring_dirty', {
  customerId: uuid().primaryKey(),
  marks: integer().notNull().default(1)
})

/** Scored rows removed with their customer (delete or merge) since the last run: their values leave the histograms. */
export const scoringRemoved = pgTable('scoring_removed', {
  customerId: uuid().notNull(),
  frequency: integer().notNull(),
  monetary: bigint({ mode: 'number' }).notNull(),
  recencyFrom: tstz().notNull()
})

/**
 * The histograms of the stored scored values, kept by difference so a nightly run finds its
 * cuts without reading every row (scoring.histograms.ts): dimension 'f' by frequency, 'm' by
 * floor(sqrt(monetary)), 'r' by the UTC day of recency_from.
 */
export const scoringHistogram = pgTable('scoring_histogram', {
  dimension: text().$type<'r' | 'f' | 'm'>().notNull(),
  bucket: bigint({ mode: 'number' }).notNull(),
  n: integer().notNull()
}, (t) => [primaryKey({ columns: [t.dimension, t.bucket] }), check('scoring_histogram_counts', sql`${t.n} >= 0`)])
