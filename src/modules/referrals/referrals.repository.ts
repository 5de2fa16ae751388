import { and, eq, getTableColumns, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { prepared } from '../../db/prepared.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import type { PiiCipher } from '../../lib/pii.js'
import { classifySearch } from '../../rules/contact.js'
import { escapeLike } from '../common/like.js'
import { asTaken } from '../common/unique.js'
import type { ReferralFilter } from './referrals.schemas.js'

export type ReferralRow = typeof referrals.$inferSelect
export type ReferralInsert = typeof referrals.$inferInsert

export const live = isNull(referrals.deletedAt)

/**
 * SQL for a referrals filter; `search` uses the blind index for phones and emails.
 * `referrerTier` looks only at the referrers `referrerReach` allows (undefined: all).
 */
export function referralConditions(filter: ReferralFilter, pii: PiiCipher, referrerReach?: SQL): SQL[] {
  const where: SQL[] = [live]
  if (filter.status?.length) where.push(inArray(referrals.status, filter.status))
  if (filter.referrerId) where.push(eq(referrals.referrerId, filter.referrerId))
  if (filter.campaignId) where.push(eq(referrals.campaignId, filter.campaignId))
  if (filter.channel?.length) where.push(inArray(referrals.channel, filter.channel))
  if (filter.flaggedForReview !== undefined) where.push(eq(referrals.flaggedForReview, filter.flaggedForReview))
  if (filter.createdFrom) where.push(gte(referrals.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(referrals.createdAt, new Date(filter.createdTo)))
  if (filter.referrerTier?.length) {
    where.push(sql`exists (select 1 from ${referrers} where ${and(eq(referrers.id, referrals.referrerId), isNull(referrers.deletedAt), inArray(referrers.tier, filter.referrerTier), referrerReach)})`)
  }
  if (filter.search) {
    const s = classifySearch(filter.search)
    if (s.kind === 'phone') where.push(inArray(referrals.phoneIdx, pii.indexes(s.value)))
    else if (s.kind === 'email') where.push(inArray(referrals.emailIdx, pii.indexes(s.value)))
    else where.push(sql`lower(coalesce(${referrals.name}, '') || ' ' || coalesce(${referrals.company}, '')) like ${`%${escapeLike(s.value)}%`}`)
  }
  return where
}

export const referralsRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<ReferralRow | undefined> {
    const [row] = await ex.select().from(referrals).where(and(eq(referrals.id, id), live, scope))
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL): Promise<ReferralRow | undefined> {
    const [row] = await ex.select().from(referrals).where(and(eq(referrals.id, id), live, scope)).for('update')
    return row
  },

  /** The referral a consent token belongs to, locked; the token is single-use, so this races safely. */
  async lockByTokenHash(ex: Executor, hash: string): Promise<ReferralRow | undefined> {
    const [row] = await ex.select().from(referrals).where(and(eq(referrals.consentTokenHash, hash), live)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<ReferralRow[]> {
    if (ids.length === 0) return []
    const query = (reach?: SQL) => ex.select().from(referrals)
      .where(and(sql`${referrals.id} = any(${sql.placeholder('ids')}::uuid[])`, live, reach))
    if (scope) return query(scope).execute({ ids: [...ids] })
    return prepared(ex, 'referrals_by_ids', (name) => query().prepare(name)).execute({ ids: [...ids] })
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, referrals, getTableColumns(referrals), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, referrals, where),

  /** A taken externalId is CONFLICT / TAKEN on the field. */
  async insert(ex: Executor, values: ReferralInsert): Promise<ReferralRow> {
    try {
      const [row] = await ex.insert(referrals).values(values).returning()
      return row
    } catch (err) {
      throw asTaken(err, 'referral')
    }
  },

  /** Bumps the version; callers lock the row (and check its version) first. */
  async update(ex: Executor, id: string, values: Partial<ReferralInsert>): Promise<ReferralRow> {
    const [row] = await ex.update(referrals)
      .set({ ...values, version: sql`${referrals.version} + 1`, updatedAt: new Date() })
      .where(eq(referrals.id, id))
      .returning()
    return row
  }
}
