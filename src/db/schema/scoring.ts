import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, jsonb, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core'
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
  /** The last counted payment inside the window as of the run: recency = whole days from it to the run's asOf. */
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
  // No index beyond the key: every run rewrites some rows, and with spare room on each page
  // (fillfactor 80, migration 0005) those updates stay HOT, on the same page, with no index
  // entries to add. Lists filter on segment by joining through the key.
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
  moneyCutBuckets: integer().array()
}, () => [check('scoring_state_one_row', sql`id = 1`)])

/** One recomputeRfm: when, how, what it found (counts per segment, tier and stage, changes). */
export const scoringRuns = pgTable('scoring_runs', {
  id: id(),
  kind: text().$type<'incremental' | 'rebuild'>().notNull(),
  asOf: tstz().notNull(),
  startedAt: tstz().notNull(),
  finishedAt: tstz().notNull(),
  summary: jsonb().$type<Record<string, unknown>>().notNull()
}, (t) => [index('scoring_runs_as_of_idx').on(t.asOf)])
