import { and, asc, eq, isNull, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { slaPolicies } from '../../../db/schema/tickets.js'

export type SlaPolicyRow = typeof slaPolicies.$inferSelect
export type SlaPolicyInsert = typeof slaPolicies.$inferInsert

const live = isNull(slaPolicies.deletedAt)
const priorityOrder = sql`array_position(array['urgent','high','normal','low']::text[], ${slaPolicies.priority}::text)`

export const slaPoliciesRepository = {
  /** Every live policy: by priority (urgent first), the tier-less one before the tiers. */
  list(ex: Executor): Promise<SlaPolicyRow[]> {
    return ex.select().from(slaPolicies).where(live)
      .orderBy(priorityOrder, sql`${slaPolicies.customerTier} nulls first`, asc(slaPolicies.createdAt))
  },

  async byId(ex: Executor, id: string, lock = false): Promise<SlaPolicyRow | undefined> {
    const q = ex.select().from(slaPolicies).where(and(eq(slaPolicies.id, id), live))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  async insert(ex: Executor, values: SlaPolicyInsert): Promise<SlaPolicyRow> {
    const [row] = await ex.insert(slaPolicies).values(values).returning()
    return row
  },

  /** Bumps the version and the update time. */
  async update(ex: Executor, id: string, values: Partial<SlaPolicyInsert>): Promise<SlaPolicyRow> {
    const [row] = await ex.update(slaPolicies)
      .set({ ...values, version: sql`${slaPolicies.version} + 1`, updatedAt: new Date() })
      .where(eq(slaPolicies.id, id)).returning()
    return row
  }
}
