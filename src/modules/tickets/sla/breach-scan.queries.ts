import { and, asc, eq, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm'
import { unionAll } from 'drizzle-orm/pg-core'
import type { Executor } from '../../../db/client.js'
import { tickets } from '../../../db/schema/tickets.js'
import { users } from '../../../db/schema/users.js'

export type SlaClock = 'first_response' | 'resolution'

/**
 * The clocks past due and not yet marked. Each condition list is exactly the predicate of
 * its partial index (tickets_first_response_due_idx / tickets_resolution_due_idx) plus the
 * range on the indexed column, so the planner walks that index and nothing else.
 */
export function pastDue(clock: SlaClock, now: Date): SQL {
  return clock === 'first_response'
    ? and(isNotNull(tickets.firstResponseDueAt), isNull(tickets.firstResponseBreachedAt), isNull(tickets.deletedAt), lt(tickets.firstResponseDueAt, now))!
    : and(isNotNull(tickets.resolutionDueAt), isNull(tickets.resolutionBreachedAt), isNull(tickets.deletedAt), lt(tickets.resolutionDueAt, now))!
}

export type BreachedTicket = {
  id: string
  customerId: string
  subject: string
  status: typeof tickets.$inferSelect.status
  priority: typeof tickets.$inferSelect.priority
  assigneeId: string | null
  queueTeamId: string | null
  dueAt: Date
}

export const breachScanQueries = {
  /**
   * What the scan would mark now, both clocks in one statement, up to `limit` each: each
   * branch is the batch query of markBatch without its lock (read only, for
   * a status page or the bench, which compares it with hand-written SQL).
   */
  async findPastDue(ex: Executor, now: Date, limit: number): Promise<Array<{ id: string; clock: SlaClock }>> {
    const branch = (clock: SlaClock) => ex.select({ id: tickets.id, clock: sql<SlaClock>`${clock}::text`.as('clock') }).from(tickets)
      .where(pastDue(clock, now)).limit(limit)
    return unionAll(branch('first_response'), branch('resolution'))
  },

  /**
   * Marks up to `limit` past-due clocks breached at `now` and returns
   * them. Rows another scan holds are skipped (SKIP LOCKED), and the update re-checks the
   * mark, so two scans at once never mark (nor escalate) one clock twice. Two statements on
   * purpose: with the locked ids as a list the update is a primary-key lookup per row, where
   * `id IN (subquery)` let the planner hash-join the whole table (a sequential scan per batch).
   */
  async markBatch(ex: Executor, clock: SlaClock, now: Date, limit: number): Promise<BreachedTicket[]> {
    const due = clock === 'first_response' ? tickets.firstResponseDueAt : tickets.resolutionDueAt
    const mark = clock === 'first_response' ? tickets.firstResponseBreachedAt : tickets.resolutionBreachedAt
    // No ORDER BY: every past-due clock is handled in the same run anyway, and without it the
    // planner may read the partial index as a bitmap (heap pages in order) instead of by due time.
    const locked = await ex.select({ id: tickets.id }).from(tickets).where(pastDue(clock, now)).limit(limit).for('update', { skipLocked: true })
    if (locked.length === 0) return []
    const rows = await ex.update(tickets)
      .set(clock === 'first_response' ? { firstResponseBreachedAt: now } : { resolutionBreachedAt: now })
      .where(and(inArray(tickets.id, locked.map((r) => r.id)), isNull(mark)))
      .returning({
        id: tickets.id, customerId: tickets.customerId, subject: tickets.subject, status: tickets.status, priority: tickets.priority,
        assigneeId: tickets.assigneeId, queueTeamId: tickets.queueTeamId, dueAt: due
      })
    return rows.map((r) => ({ ...r, dueAt: r.dueAt! })).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id.localeCompare(b.id))
  },

  /** The teams of the given users. */
  async teamsOf(ex: Executor, userIds: string[]): Promise<Map<string, string | null>> {
    if (userIds.length === 0) return new Map()
    const rows = await ex.select({ id: users.id, teamId: users.teamId }).from(users).where(inArray(users.id, userIds))
    return new Map(rows.map((r) => [r.id, r.teamId]))
  },

  /** The active managers of the given teams, each team's in id order. */
  async managersOf(ex: Executor, teamIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>()
    if (teamIds.length === 0) return out
    const rows = await ex.select({ id: users.id, teamId: users.teamId }).from(users)
      .where(and(inArray(users.teamId, teamIds), eq(users.role, 'manager'), eq(users.active, true), isNull(users.deletedAt)))
      .orderBy(asc(users.id))
    for (const r of rows) out.set(r.teamId!, [...(out.get(r.teamId!) ?? []), r.id])
    return out
  }
}

