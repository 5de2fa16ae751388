import { and, asc, eq, getTableColumns, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { incentiveRules } from '../../db/schema/incentives.js'
import type { IncentiveRule, IncentiveTrigger } from '../../rules/incentives.types.js'
import { escapeLike } from '../common/like.js'
import type { IncentiveRuleFilter } from './incentive-rules.schemas.js'

export type RuleRow = typeof incentiveRules.$inferSelect
export type RuleInsert = typeof incentiveRules.$inferInsert

const live = isNull(incentiveRules.deletedAt)

/** SQL for an incentive rules filter. */
export function ruleConditions(filter: IncentiveRuleFilter): SQL[] {
  const where: SQL[] = [live]
  if (filter.active !== undefined) where.push(eq(incentiveRules.active, filter.active))
  if (filter.trigger?.length) where.push(inArray(incentiveRules.trigger, filter.trigger))
  if (filter.campaignId) where.push(eq(incentiveRules.campaignId, filter.campaignId))
  if (filter.global === true) where.push(isNull(incentiveRules.campaignId))
  if (filter.global === false) where.push(sql`${incentiveRules.campaignId} is not null`)
  if (filter.search) where.push(sql`lower(${incentiveRules.name}) like ${`%${escapeLike(filter.search.toLowerCase())}%`}`)
  return where
}

/** The row as the evaluator (src/rules/incentives.ts) reads it. */
export function toRule(row: RuleRow): IncentiveRule {
  return {
    id: row.id, name: row.name, active: row.active, campaignId: row.campaignId, trigger: row.trigger, orderScope: row.orderScope,
    milestone: row.milestone, calc: row.calc, rewardType: row.rewardType, amount: row.amount, percentBp: row.percentBp,
    currency: row.currency, couponCode: row.couponCode, couponTemplateId: row.couponTemplateId, beneficiary: row.beneficiary, referredAmount: row.referredAmount,
    referrerKinds: row.referrerKinds, referrerTiers: row.referrerTiers, customerLevels: row.customerLevels, minOrderAmount: row.minOrderAmount,
    validFrom: row.validFrom, validUntil: row.validUntil, capAmount: row.capAmount, perReferrerCap: row.perReferrerCap,
    perReferrerPeriod: row.perReferrerPeriod, tierMultipliers: row.tierMultipliers, priority: row.priority,
    stackable: row.stackable, approval: row.approval, holdDays: row.holdDays
  }
}

export const incentiveRulesRepository = {
  async byId(ex: Executor, id: string): Promise<RuleRow | undefined> {
    const [row] = await ex.select().from(incentiveRules).where(and(eq(incentiveRules.id, id), live))
    return row
  },

  async byIds(ex: Executor, ids: readonly string[]): Promise<RuleRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(incentiveRules).where(and(inArray(incentiveRules.id, [...ids]), live))
  },

  /** Rules by id even if deleted: the ledger keeps pointing at them. */
  async byIdsAnyState(ex: Executor, ids: readonly string[]): Promise<RuleRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(incentiveRules).where(inArray(incentiveRules.id, [...ids]))
  },

  /** Locks the row for the rest of the transaction: concurrent updates queue behind it. */
  async lock(ex: Executor, id: string): Promise<RuleRow | undefined> {
    const [row] = await ex.select().from(incentiveRules).where(and(eq(incentiveRules.id, id), live)).for('update')
    return row
  },

  /**
   * The active rules an event of `trigger` may match: global ones and those of the event's
   * campaign (the evaluator checks the rest), by priority.
   */
  async activeFor(ex: Executor, trigger: IncentiveTrigger, campaignId: string | null): Promise<RuleRow[]> {
    const campaign = campaignId ? or(isNull(incentiveRules.campaignId), eq(incentiveRules.campaignId, campaignId)) : isNull(incentiveRules.campaignId)
    return ex.select().from(incentiveRules)
      .where(and(eq(incentiveRules.trigger, trigger), eq(incentiveRules.active, true), live, campaign))
      .orderBy(asc(incentiveRules.priority), asc(incentiveRules.id))
  },

  /** Campaign.rules for many campaigns in one query, by priority. */
  async ofCampaigns(ex: Executor, campaignIds: readonly string[], active?: boolean): Promise<RuleRow[]> {
    if (campaignIds.length === 0) return []
    return ex.select().from(incentiveRules)
      .where(and(inArray(incentiveRules.campaignId, [...campaignIds]), live, active === undefined ? undefined : eq(incentiveRules.active, active)))
      .orderBy(asc(incentiveRules.priority), asc(incentiveRules.id))
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, incentiveRules, getTableColumns(incentiveRules), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, incentiveRules, where),

  async insert(ex: Executor, values: RuleInsert): Promise<RuleRow> {
    const [row] = await ex.insert(incentiveRules).values(values).returning()
    return row
  },

  /** Bumps the version; callers check the expected version on the locked row first. */
  async update(ex: Executor, id: string, values: Partial<RuleInsert>): Promise<RuleRow> {
    const [row] = await ex.update(incentiveRules)
      .set({ ...values, version: sql`${incentiveRules.version} + 1`, updatedAt: new Date() })
      .where(eq(incentiveRules.id, id))
      .returning()
    return row
  }
}
