import { randomUUID } from 'node:crypto'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { customerFacts, latestAnswers } from '../../../src/rules/customer-facts.js'
import { customerTier } from '../../../src/rules/customer-tier.js'
import { lifecycleStage, type LifecycleConfig } from '../../../src/rules/lifecycle.js'
import { aggregateOrders, computeRfm, DAY_MS, type OrderHistory } from '../../../src/rules/rfm.js'
import { segmentOf } from '../../../src/rules/segments.js'
import type { TestApp } from '../../helper.js'

/** One generated order: paid `daysAgo` before the run (negative: up to a day ahead), refunded none, part or all. */
export type GenOrder = { daysAgo: number; amount: number; refund: 'none' | 'part' | 'all' }

/** Writes customers and their orders straight into the tables (as a bulk load would); returns the customers' ids in order. */
export async function load(ctx: TestApp, customers: GenOrder[][], asOf: Date): Promise<string[]> {
  const ids: string[] = []
  for (const orders of customers) {
    const id = randomUUID()
    ids.push(id)
    await ctx.sql('insert into customers (id, name, created_at) values ($1, $2, $3)', [id, `Gen ${ids.length}`, new Date(asOf.getTime() - 900 * DAY_MS)])
    for (const o of orders) {
      const refunded = o.refund === 'all' ? o.amount : o.refund === 'part' ? Math.floor(o.amount / 3) : 0
      await ctx.sql(`insert into orders (id, customer_id, amount, refunded_amount, status, paid_at) values ($1, $2, $3, $4, $5, $6)`,
        [randomUUID(), id, o.amount, refunded, refunded === o.amount ? 'refunded' : 'paid', new Date(asOf.getTime() - o.daysAgo * DAY_MS)])
    }
  }
  return ids
}

export async function wipe(ctx: TestApp): Promise<void> {
  for (const table of ['survey_responses', 'survey_invitations', 'surveys', 'customer_scores', 'scoring_dirty', 'scoring_removed', 'scoring_histogram', 'order_refunds', 'rewards', 'orders', 'outbox_events', 'customer_merges', 'customers']) await ctx.sql(`delete from ${table}`)
  await ctx.sql(`update scoring_state set window_from = '-infinity', window_days = null, last_run_id = null, last_as_of = null, cuts = null, config_key = null`)
}

export const recompute = (ctx: TestApp, mode: 'incremental' | 'rebuild', asOf: Date) => ctx.app.services.scoring.recompute(systemActor, mode, asOf)

type Stored = { id: string; r: number | null; f: number | null; m: number | null; segment: string | null; recency: number | null; frequency: number | null; monetary: number | null; tier: string | null; stage: string }

/** What the database holds for every live customer after a run, sorted by id. */
export async function stored(ctx: TestApp): Promise<Stored[]> {
  return ctx.sql<Stored>(`select c.id::text as id, s.r, s.f, s.m, s.segment, s.frequency, s.monetary::float8 as monetary,
      case when s.r is not null then floor(extract(epoch from (st.last_as_of - s.recency_from)) / 86400)::int end as recency, c.tier::text as tier, c.lifecycle_stage::text as stage
    from customers c left join customer_scores s on s.customer_id = c.id cross join scoring_state st
    where c.deleted_at is null and c.merged_into_id is null order by c.id`)
}

/** The same, from the pure rules over the live customers' orders as they stand (no leads or activities here). */
export async function expected(ctx: TestApp, asOf: Date, windowDays: number | null, lifecycle?: LifecycleConfig): Promise<Stored[]> {
  const orders = await ctx.sql<{ customer_id: string; amount: number; refunded_amount: number; status: 'paid' | 'refunded'; paid_at: Date }>(
    'select customer_id::text as customer_id, amount::float8 as amount, refunded_amount::float8 as refunded_amount, status::text as status, paid_at from orders')
  const customers = await ctx.sql<{ id: string }>('select id::text as id from customers where deleted_at is null and merged_into_id is null order by id')
  const histories: OrderHistory[] = customers.map((c) => ({
    customerId: c.id,
    orders: orders.filter((o) => o.customer_id === c.id).map((o) => ({ paidAt: new Date(o.paid_at), amount: Number(o.amount), refundedAmount: Number(o.refunded_amount), status: o.status }))
  }))
  const rfm = new Map(computeRfm(histories, { days: windowDays }, asOf).map((s) => [s.customerId, s]))
  const allTime = new Map(aggregateOrders(histories, { days: null }, asOf).map((a) => [a.customerId, a]))
  const answers = await ctx.sql<{ customer_id: string; kind: 'nps' | 'csat'; score: number; answered_at: Date }>(
    'select customer_id::text as customer_id, kind::text as kind, score, answered_at from survey_responses order by id')
  return customers.map(({ id }) => {
    const s = rfm.get(id)
    const mine = answers.filter((a) => a.customer_id === id).map((a) => ({ kind: a.kind, score: a.score, at: new Date(a.answered_at) }))
    const facts = customerFacts(allTime.get(id), false, null, latestAnswers(mine, asOf))
    return {
      id, r: s?.r ?? null, f: s?.f ?? null, m: s?.m ?? null, segment: s ? segmentOf(s)!.segment : null,
      recency: s?.recency ?? null, frequency: s?.frequency ?? null, monetary: s?.monetary ?? null,
      tier: customerTier(facts, asOf).tier, stage: lifecycleStage(facts, asOf, lifecycle).stage
    }
  })
}

/** The kept histograms (scoring_histogram) and the same counted afresh from the stored rows: a nightly run must leave them equal. */
export async function histograms(ctx: TestApp): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = await ctx.sql('select dimension, bucket::float8 as bucket, n from scoring_histogram order by 1, 2')
  const counted = await ctx.sql(`select dimension, bucket::float8 as bucket, count(*)::int as n from customer_scores s
    cross join lateral (values ('f', s.frequency::bigint), ('m', floor(sqrt(s.monetary::float8))::bigint), ('r', floor(date_part('epoch', s.recency_from) / 86400)::bigint)) v(dimension, bucket)
    where s.frequency is not null group by 1, 2 order by 1, 2`)
  return { kept, counted }
}
