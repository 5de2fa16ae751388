import { and, eq, isNull, notInArray, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Tx } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { leadHistory, leads } from '../../db/schema/leads.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { referrers } from '../../db/schema/referrers.js'
import { tasks } from '../../db/schema/tasks.js'
import type { TransferableEntity } from './ownership.schemas.js'

/** A moved record and its new version (for the events that announce it). */
export type Moved = { id: string; version: number }

export type TransferRequest = { fromUserId: string; toUserId: string; onlyOpen: boolean; actorId: string | null; at: Date }

/** Lead history rows go in chunks: a departing rep may own tens of thousands of leads. */
const HISTORY_CHUNK = 5_000

const bump = (version: AnyPgColumn) => sql`${version} + 1`

/** One bulk UPDATE ... RETURNING id, version per entity type: the records move from one user to another. */
export const transferers: Record<TransferableEntity, (tx: Tx, r: TransferRequest) => Promise<Moved[]>> = {
  async customers(tx, r) {
    return tx.update(customers).set({ ownerId: r.toUserId, version: bump(customers.version), updatedAt: r.at })
      .where(and(eq(customers.ownerId, r.fromUserId), isNull(customers.deletedAt))).returning({ id: customers.id, version: customers.version })
  },

  async leads(tx, r) {
    const open: SQL | undefined = r.onlyOpen ? notInArray(leads.status, ['converted', 'disqualified']) : undefined
    const rows = await tx.update(leads).set({ ownerId: r.toUserId, assignedAt: r.at, version: bump(leads.version), updatedAt: r.at })
      .where(and(eq(leads.ownerId, r.fromUserId), isNull(leads.deletedAt), open)).returning({ id: leads.id, version: leads.version })
    const ids = rows.map((x) => x.id)
    for (let i = 0; i < ids.length; i += HISTORY_CHUNK) {
      await tx.insert(leadHistory).values(ids.slice(i, i + HISTORY_CHUNK).map((leadId) => ({
        leadId, kind: 'assigned' as const, fromOwnerId: r.fromUserId, toOwnerId: r.toUserId, reason: 'ownership_transfer', actorId: r.actorId, at: r.at
      })))
    }
    return rows
  },

  async opportunities(tx, r) {
    const open: SQL | undefined = r.onlyOpen ? notInArray(opportunities.stage, ['won', 'lost']) : undefined
    return tx.update(opportunities).set({ ownerId: r.toUserId, version: bump(opportunities.version), updatedAt: r.at })
      .where(and(eq(opportunities.ownerId, r.fromUserId), isNull(opportunities.deletedAt), open)).returning({ id: opportunities.id, version: opportunities.version })
  },

  async tasks(tx, r) {
    const open: SQL | undefined = r.onlyOpen ? eq(tasks.status, 'open') : undefined
    return tx.update(tasks).set({ assigneeId: r.toUserId, version: bump(tasks.version), updatedAt: r.at })
      .where(and(eq(tasks.assigneeId, r.fromUserId), isNull(tasks.deletedAt), open)).returning({ id: tasks.id, version: tasks.version })
  },

  /**
   * Referrers whose relationship owner is leaving: their new referral leads route to that
   * owner, so every live referrer moves, whatever its status (an inactive one may come back).
   */
  async referrers(tx, r) {
    return tx.update(referrers).set({ ownerId: r.toUserId, version: bump(referrers.version), updatedAt: r.at })
      .where(and(eq(referrers.ownerId, r.fromUserId), isNull(referrers.deletedAt))).returning({ id: referrers.id, version: referrers.version })
  }
}
