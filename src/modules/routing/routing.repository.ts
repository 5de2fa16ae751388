import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { assignmentRules, followUpPolicies, teamRotations } from '../../db/schema/assignment-rules.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { referrers } from '../../db/schema/referrers.js'
import { teams } from '../../db/schema/teams.js'
import { users } from '../../db/schema/users.js'
import { leadOwnerRoles, type StaffUser } from '../../rules/lead-assignment.js'

export type AssignmentRuleRow = typeof assignmentRules.$inferSelect
export type AssignmentRuleInsert = typeof assignmentRules.$inferInsert
export type FollowUpPolicyRow = typeof followUpPolicies.$inferSelect
export type FollowUpPolicyInsert = typeof followUpPolicies.$inferInsert

const liveRule = isNull(assignmentRules.deletedAt)
const livePolicy = isNull(followUpPolicies.deletedAt)
const ownerRoles = [...leadOwnerRoles] as ('sales' | 'manager' | 'admin')[]

/** Assignment rules, follow-up policies, rotation positions, and the staff routing chooses from. */
export const routingRepository = {
  /** Every rule, in the order they are tried (priority, then age); `activeOnly` uses the partial index. */
  rules(ex: Executor, activeOnly = false): Promise<AssignmentRuleRow[]> {
    return ex.select().from(assignmentRules)
      .where(and(liveRule, activeOnly ? eq(assignmentRules.active, true) : undefined))
      .orderBy(asc(assignmentRules.priority), asc(assignmentRules.createdAt), asc(assignmentRules.id))
  },

  async ruleById(ex: Executor, id: string, lock = false): Promise<AssignmentRuleRow | undefined> {
    const q = ex.select().from(assignmentRules).where(and(eq(assignmentRules.id, id), liveRule))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  rulesByIds(ex: Executor, ids: readonly string[]): Promise<AssignmentRuleRow[]> {
    if (ids.length === 0) return Promise.resolve([])
    return ex.select().from(assignmentRules).where(and(inArray(assignmentRules.id, [...ids]), liveRule))
  },

  async insertRule(ex: Executor, values: AssignmentRuleInsert): Promise<AssignmentRuleRow> {
    const [row] = await ex.insert(assignmentRules).values(values).returning()
    return row
  },

  async updateRule(ex: Executor, id: string, values: Partial<AssignmentRuleInsert>): Promise<AssignmentRuleRow> {
    const [row] = await ex.update(assignmentRules)
      .set({ ...values, version: sql`${assignmentRules.version} + 1`, updatedAt: new Date() })
      .where(eq(assignmentRules.id, id)).returning()
    return row
  },

  policies(ex: Executor): Promise<FollowUpPolicyRow[]> {
    return ex.select().from(followUpPolicies).where(livePolicy).orderBy(asc(followUpPolicies.source))
  },

  /** Active policies for a lead source and the `*` default (at most two rows). */
  policiesFor(ex: Executor, source: string): Promise<FollowUpPolicyRow[]> {
    return ex.select().from(followUpPolicies)
      .where(and(livePolicy, eq(followUpPolicies.active, true), inArray(followUpPolicies.source, [source, '*'])))
  },

  async policyBySource(ex: Executor, source: string, lock = false): Promise<FollowUpPolicyRow | undefined> {
    const q = ex.select().from(followUpPolicies).where(and(eq(followUpPolicies.source, source), livePolicy))
    const [row] = lock ? await q.for('update') : await q
    return row
  },

  async insertPolicy(ex: Executor, values: FollowUpPolicyInsert): Promise<FollowUpPolicyRow> {
    const [row] = await ex.insert(followUpPolicies).values(values).returning()
    return row
  },

  async updatePolicy(ex: Executor, id: string, values: Partial<FollowUpPolicyInsert>): Promise<FollowUpPolicyRow> {
    const [row] = await ex.update(followUpPolicies)
      .set({ ...values, version: sql`${followUpPolicies.version} + 1`, updatedAt: new Date() })
      .where(eq(followUpPolicies.id, id)).returning()
    return row
  },

  /** Active staff who may own leads: everyone routing may choose. */
  staff(ex: Executor): Promise<StaffUser[]> {
    return ex.select({ id: users.id, role: users.role, active: users.active, teamId: users.teamId }).from(users)
      .where(and(isNull(users.deletedAt), eq(users.active, true), inArray(users.role, ownerRoles)))
  },

  async user(ex: Executor, id: string): Promise<{ id: string; active: boolean; role: string } | undefined> {
    const [row] = await ex.select({ id: users.id, active: users.active, role: users.role }).from(users)
      .where(and(eq(users.id, id), isNull(users.deletedAt)))
    return row
  },

  async teamExists(ex: Executor, id: string): Promise<boolean> {
    const [row] = await ex.select({ id: teams.id }).from(teams).where(and(eq(teams.id, id), isNull(teams.deletedAt)))
    return row !== undefined
  },

  /** Those of `ids` that name no live campaign. */
  async missingCampaigns(ex: Executor, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return []
    const found = await ex.select({ id: campaigns.id }).from(campaigns).where(and(inArray(campaigns.id, [...ids]), isNull(campaigns.deletedAt)))
    const known = new Set(found.map((r) => r.id))
    return ids.filter((id) => !known.has(id))
  },

  /** The referrer's relationship owner, active or not (an inactive one's team is still the fallback). */
  async referrerOwner(ex: Executor, referrerId: string): Promise<StaffUser | null> {
    const [row] = await ex.select({ id: users.id, role: users.role, active: users.active, teamId: users.teamId }).from(referrers)
      .innerJoin(users, and(eq(users.id, referrers.ownerId), isNull(users.deletedAt))).where(eq(referrers.id, referrerId))
    return row ?? null
  },

  /** The rotation's position, locked for the transaction so concurrent leads take turns. */
  async lockRotation(ex: Executor, rotation: string): Promise<string | null> {
    await ex.insert(teamRotations).values({ rotation }).onConflictDoNothing()
    const [row] = await ex.select({ last: teamRotations.lastUserId }).from(teamRotations)
      .where(eq(teamRotations.rotation, rotation)).for('update')
    return row?.last ?? null
  },

  async rotations(ex: Executor): Promise<Record<string, string | null>> {
    const rows = await ex.select().from(teamRotations)
    return Object.fromEntries(rows.map((r) => [r.rotation, r.lastUserId]))
  },

  async setRotation(ex: Executor, rotation: string, lastUserId: string): Promise<void> {
    await ex.update(teamRotations).set({ lastUserId }).where(eq(teamRotations.rotation, rotation))
  }
}
