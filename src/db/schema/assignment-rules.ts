import { sql } from 'drizzle-orm'
import { boolean, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns } from './columns.js'
import { campaigns } from './campaigns.js'
import { teams } from './teams.js'
import { users } from './users.js'

/**
 * Lead routing, as data: the first active rule (by priority, then age) whose conditions
 * all match assigns the lead to its user, or round-robin within its team.
 */
export const assignmentRules = pgTable('assignment_rules', {
  ...entityColumns(),
  name: text().notNull(),
  priority: integer().notNull().default(100),
  active: boolean().notNull().default(true),
  /** Conditions; an empty list matches anything. */
  sources: text().array().notNull().default(sql`'{}'::text[]`),
  industries: text().array().notNull().default(sql`'{}'::text[]`),
  regions: text().array().notNull().default(sql`'{}'::text[]`),
  campaignIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
  /** Exactly one target: a user, or a team to rotate through. */
  assigneeId: uuid().references(() => users.id),
  teamId: uuid().references(() => teams.id)
}, (t) => [
  uniqueIndex('assignment_rules_external_id_uq').on(t.externalId),
  index('assignment_rules_priority_idx').on(t.priority, t.createdAt).where(sql`${t.active} and ${t.deletedAt} is null`),
  index('assignment_rules_assignee_id_idx').on(t.assigneeId),
  index('assignment_rules_team_id_idx').on(t.teamId)
])

/**
 * Round-robin position per rotation: the last user given a lead, updated under a row lock.
 * `rotation` is a team's id, or '*' for the rotation over every active sales rep.
 */
export const teamRotations = pgTable('team_rotations', {
  rotation: text().primaryKey(),
  lastUserId: uuid().references(() => users.id)
})

/**
 * Follow-up SLAs per lead source ('*' is the default): first contact within
 * `firstContactHours` of assignment, a follow-up `followUpDays` after, dormant after
 * `dormantDays` without activity.
 */
export const followUpPolicies = pgTable('follow_up_policies', {
  ...entityColumns(),
  source: text().notNull(),
  firstContactHours: integer().notNull().default(72),
  followUpDays: integer().notNull().default(7),
  dormantDays: integer().notNull().default(30),
  active: boolean().notNull().default(true)
}, (t) => [
  uniqueIndex('follow_up_policies_external_id_uq').on(t.externalId),
  uniqueIndex('follow_up_policies_source_uq').on(t.source).where(sql`${t.deletedAt} is null`)
])
