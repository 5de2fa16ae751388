import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Executor, Tx } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { customers } from '../../db/schema/customers.js'
import { customerLevelChanges, customerLevels, memberLevels } from '../../db/schema/member-levels.js'
import { windowStart, type FactsByWindow } from '../../rules/member-levels.js'
import { BASE_LEVEL_ID, LEVEL_CURRENCY } from './levels.schemas.js'
import type { ChangeRow, LevelRow, StoredFacts } from './levels.views.js'

export type CurrentRow = typeof customerLevels.$inferSelect

const live = isNull(memberLevels.deletedAt)

/** Statements over member levels, customers' levels and their history. */
export const levelsRepository = {
  /** Every level (inactive ones too), by rank: a small table, read whole. */
  async all(ex: Executor): Promise<LevelRow[]> {
    return ex.select().from(memberLevels).where(live).orderBy(asc(memberLevels.rank))
  },

  async byId(ex: Executor, id: string): Promise<LevelRow | undefined> {
    const [row] = await ex.select().from(memberLevels).where(and(eq(memberLevels.id, id), live))
    return row
  },

  async byKey(ex: Executor, key: string): Promise<LevelRow | undefined> {
    const [row] = await ex.select().from(memberLevels).where(and(eq(memberLevels.key, key), live))
    return row
  },

  async lock(tx: Tx, id: string): Promise<LevelRow | undefined> {
    const [row] = await tx.select().from(memberLevels).where(and(eq(memberLevels.id, id), live)).for('update')
    return row
  },

  /** Serialises level decisions of one customer for the rest of the transaction (orders, points, review, manual). */
  async lockCustomer(tx: Tx, customerId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`crm.level:${customerId}`}, 0))`)
  },

  /** Whether any active level besides the base exists (else nothing can move on activity). */
  async hasLevelsAboveBase(ex: Executor): Promise<boolean> {
    const [row] = await rows<{ yes: boolean }>(ex, sql`select exists (select 1 from member_levels where active and deleted_at is null and id <> ${BASE_LEVEL_ID}::uuid) as yes`)
    return row?.yes === true
  },

  async current(ex: Executor, customerId: string): Promise<CurrentRow | undefined> {
    const [row] = await ex.select().from(customerLevels).where(eq(customerLevels.customerId, customerId))
    return row
  },

  /**
   * The customer's facts for each window, in one statement: net paid spend of its live,
   * paid orders in the level currency paid within the window (amount less refunds), and
   * points it earned within the window (its earn entries there, each less what a refund of
   * its order or a reversal of its reward took back of it, shortfall included, whenever that
   * was; so a refund never counts against points earned before the window). The window has no upper
   * bound: a concurrent order whose own clock read a moment later than `now` (or an order
   * paid up to a day ahead, as recording allows) counts, so orders that qualify only
   * together always move the customer.
   */
  async facts(ex: Executor, customerId: string, windows: readonly number[], now: Date): Promise<{ facts: FactsByWindow; stored: StoredFacts[] }> {
    if (windows.length === 0) return { facts: {}, stored: [] }
    const starts = windows.map((w) => windowStart(now, w).toISOString())
    const found = await rows<{ months: number; spend: string | number; points: string | number }>(ex, sql`
      select w.months,
        (select coalesce(sum(o.amount - o.refunded_amount), 0) from orders o
          where o.customer_id = ${customerId}::uuid and o.deleted_at is null and o.status = 'paid' and o.currency = ${LEVEL_CURRENCY}
            and o.paid_at >= w.start) as spend,
        (select coalesce(sum(greatest(e.amount - coalesce(back.taken, 0), 0)), 0)
          from points_accounts a join points_entries e on e.account_id = a.id
          left join lateral (
            select sum(r.shortfall - r.amount) as taken from points_entries r
            where r.account_id = e.account_id and r.kind = 'reverse' and r.amount <= 0
              and ((e.source_type = 'order' and r.source_type = 'refund' and r.order_id = e.order_id)
                or (e.source_type = 'reward' and r.source_type = 'reward' and r.source_id like e.source_id || ':%'))
          ) back on true
          where a.customer_id = ${customerId}::uuid and e.kind = 'earn' and e.created_at >= w.start) as points
      from unnest(${`{${windows.join(',')}}`}::int[], ${`{${starts.join(',')}}`}::timestamptz[]) as w(months, start)`)
    const facts: Record<number, { spend: number; points: number }> = {}
    const stored: StoredFacts[] = []
    for (const r of found) {
      const months = Number(r.months)
      facts[months] = { spend: Number(r.spend), points: Number(r.points) }
      stored.push({ windowMonths: months, from: starts[windows.indexOf(months)], ...facts[months] })
    }
    return { facts, stored }
  },

  /** Sets the customer's level (made on its first move), bumping its version. */
  async upsertCurrent(tx: Tx, customerId: string, levelId: string, reachedAt: Date, reviewAt: Date | null, now: Date): Promise<CurrentRow> {
    const [row] = await tx.insert(customerLevels).values({ customerId, levelId, reachedAt, reviewAt, updatedAt: now })
      .onConflictDoUpdate({
        target: customerLevels.customerId,
        set: { levelId, reachedAt, reviewAt, updatedAt: now, version: sql`${customerLevels.version} + 1` }
      }).returning()
    return row
  },

  async insertChange(tx: Tx, values: typeof customerLevelChanges.$inferInsert): Promise<ChangeRow> {
    const [row] = await tx.insert(customerLevelChanges).values(values).returning()
    return row
  },

  /**
   * Customer.level for many customers in one statement: the level row (the base level for
   * a customer that never moved) with reachedAt and reviewAt, for those within `scope`.
   */
  async ofCustomers(ex: Executor, customerIds: readonly string[], scope: SQL | undefined): Promise<{ customerId: string; level: LevelRow; reachedAt: Date | null; reviewAt: Date | null }[]> {
    if (customerIds.length === 0) return []
    return ex.select({ customerId: customers.id, level: memberLevels, reachedAt: customerLevels.reachedAt, reviewAt: customerLevels.reviewAt })
      .from(customers)
      .leftJoin(customerLevels, eq(customerLevels.customerId, customers.id))
      .innerJoin(memberLevels, sql`${memberLevels.id} = coalesce(${customerLevels.levelId}, ${BASE_LEVEL_ID}::uuid)`)
      .where(and(sql`${customers.id} = any(${`{${customerIds.join(',')}}`}::uuid[])`, scope))
  },

  /** Live customers within `scope` per level id (those that never moved count at the base level). */
  async counts(ex: Executor, scope: SQL | undefined): Promise<Map<string, number>> {
    const found = await rows<{ level_id: string; n: string | number }>(ex, sql`
      select coalesce(cl.level_id, ${BASE_LEVEL_ID}::uuid) as level_id, count(*) as n
      from ${customers} left join customer_levels cl on cl.customer_id = ${customers.id}
      where ${customers.deletedAt} is null ${scope ? sql`and ${scope}` : sql``}
      group by 1`)
    return new Map(found.map((r) => [r.level_id, Number(r.n)]))
  },

  /** The next customers due for review (reviewAt ≤ now), after `after` in (reviewAt, customerId) order. */
  async due(ex: Executor, now: Date, after: { reviewAt: Date; customerId: string } | null, limit: number): Promise<{ customerId: string; reviewAt: Date }[]> {
    const cursor = after ? sql`and (cl.review_at, cl.customer_id) > (${after.reviewAt.toISOString()}::timestamptz, ${after.customerId}::uuid)` : sql``
    const found = await rows<{ customer_id: string; review_at: string | Date }>(ex, sql`
      select cl.customer_id, cl.review_at from customer_levels cl join customers c on c.id = cl.customer_id
      where cl.review_at <= ${now.toISOString()}::timestamptz and c.deleted_at is null ${cursor}
      order by cl.review_at, cl.customer_id limit ${limit}`)
    return found.map((r) => ({ customerId: r.customer_id, reviewAt: new Date(r.review_at) }))
  }
}
