import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Executor } from '../../../db/client.js'
import { statement } from '../../../db/statement.js'
import { ticketCategories, ticketRoutingRules } from '../../../db/schema/tickets.js'
import type { StaffUser } from '../../../rules/lead-assignment.js'
import { ticketAgentRoles, type TicketRoutingRule } from '../../../rules/ticket-routing.js'

export type TicketRoutingRuleRow = typeof ticketRoutingRules.$inferSelect
export type TicketRoutingRuleInsert = typeof ticketRoutingRules.$inferInsert
export type TicketCategoryRow = typeof ticketCategories.$inferSelect
export type TicketCategoryInsert = typeof ticketCategories.$inferInsert

const liveRule = isNull(ticketRoutingRules.deletedAt)
const liveCategory = isNull(ticketCategories.deletedAt)
const agentRoles = sql.join([...ticketAgentRoles].map((role) => sql`${role}`), sql`, `)

/**
 * What routing reads to place a ticket, in ONE statement of fixed text (every new ticket
 * pays for it): the active rules in the order they are tried, and the active staff a
 * decision can reach (the rules' users, and every service agent: queue and global rotations).
 */
const factsStatement = statement<Record<string, never>, { rules: TicketRoutingRule[]; staff: StaffUser[] }>('ticket_routing_facts', () => sql`
  select
    (select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'priority', r.priority, 'active', r.active,
              'categories', r.categories, 'priorities', r.priorities, 'channels', r.channels, 'customerTiers', r.customer_tiers,
              'assigneeId', r.assignee_id, 'queueTeamId', r.queue_team_id) order by r.priority, r.created_at, r.id), '[]')
       from ticket_routing_rules r where r.deleted_at is null and r.active),
    (select coalesce(json_agg(json_build_object('id', u.id, 'role', u.role, 'active', u.active, 'teamId', u.team_id)), '[]')
       from users u where u.deleted_at is null and u.active and u.role in (${agentRoles})
        and (u.role = 'service' or u.id in (select r.assignee_id from ticket_routing_rules r where r.deleted_at is null and r.active)))`,
(row) => ({ rules: row[0] as TicketRoutingRule[], staff: row[1] as StaffUser[] }))

/** Ticket routing rules and ticket categories. Rotation positions live in team_rotations (routing.repository.ts). */
export const ticketRoutingRepository = {
  async facts(ex: Executor): Promise<{ rules: TicketRoutingRule[]; staff: StaffUser[] }> {
    const [facts] = await factsStatement(ex, {})
    return facts
  },

  /** Every live rule, in the order they are tried (priority, then age). */
  rules(ex: Executor): Promise<TicketRoutingRuleRow[]> {
    return ex.select().from(ticketRoutingRules).where(liveRule)
      .orderBy(asc(ticketRoutingRules.priority), asc(ticketRoutingRules.createdAt), asc(ticketRoutingRules.id))
  },

  async ruleById(ex: Executor, id: string, lock = false): Promise<TicketRoutingRuleRow | undefined> {
    const q = ex.select().from(ticketRoutingRules).where(and(eq(ticketRoutingRules.id, id), liveRule))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  rulesByIds(ex: Executor, ids: readonly string[]): Promise<TicketRoutingRuleRow[]> {
    if (ids.length === 0) return Promise.resolve([])
    return ex.select().from(ticketRoutingRules).where(and(inArray(ticketRoutingRules.id, [...ids]), liveRule))
  },

  async insertRule(ex: Executor, values: TicketRoutingRuleInsert): Promise<TicketRoutingRuleRow> {
    const [row] = await ex.insert(ticketRoutingRules).values(values).returning()
    return row
  },

  async updateRule(ex: Executor, id: string, values: Partial<TicketRoutingRuleInsert>): Promise<TicketRoutingRuleRow> {
    const [row] = await ex.update(ticketRoutingRules)
      .set({ ...values, version: sql`${ticketRoutingRules.version} + 1`, updatedAt: new Date() })
      .where(eq(ticketRoutingRules.id, id)).returning()
    return row
  },

  /** Every live category (active or not), by key. */
  categories(ex: Executor): Promise<TicketCategoryRow[]> {
    return ex.select().from(ticketCategories).where(liveCategory).orderBy(asc(ticketCategories.key))
  },

  async activeCategoryKeys(ex: Executor): Promise<string[]> {
    const rows = await ex.select({ key: ticketCategories.key }).from(ticketCategories)
      .where(and(liveCategory, eq(ticketCategories.active, true))).orderBy(asc(ticketCategories.key))
    return rows.map((r) => r.key)
  },

  async categoryById(ex: Executor, id: string, lock = false): Promise<TicketCategoryRow | undefined> {
    const q = ex.select().from(ticketCategories).where(and(eq(ticketCategories.id, id), liveCategory))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  async categoryByKey(ex: Executor, key: string): Promise<TicketCategoryRow | undefined> {
    const [row] = await ex.select().from(ticketCategories).where(and(eq(ticketCategories.key, key), liveCategory))
    return row
  },

  async insertCategory(ex: Executor, values: TicketCategoryInsert): Promise<TicketCategoryRow> {
    const [row] = await ex.insert(ticketCategories).values(values).returning()
    return row
  },

  async updateCategory(ex: Executor, id: string, values: Partial<TicketCategoryInsert>): Promise<TicketCategoryRow> {
    const [row] = await ex.update(ticketCategories)
      .set({ ...values, version: sql`${ticketCategories.version} + 1`, updatedAt: new Date() })
      .where(eq(ticketCategories.id, id)).returning()
    return row
  }
}
