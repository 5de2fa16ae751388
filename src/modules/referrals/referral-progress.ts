import { and, eq, inArray, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { leads } from '../../db/schema/leads.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { referrals } from '../../db/schema/referrals.js'
import { decideReferralMove, type ReferralStatus } from '../../rules/referral-status.js'
import { incentivesOnReferral } from '../incentives/incentive-triggers.js'
import { surveysOnReferralConverted } from '../surveys/survey-scheduling.js'

/**
 * The referral side of lead and opportunity changes, run inside the caller's open
 * transaction (the leads and opportunities services call these), so the referral moves
 * with its lead in the same commit. Every function is a no-op for a lead without a
 * referral and for a referral that is rejected or already further along.
 *
 *   lead qualified                 → referral qualified (qualifiedAt)
 *   lead disqualified / dormant    → referral unchanged (see docs/referrals.md)
 *   lead converted, no opportunity → referral converted at once (convertedAt)
 *   lead converted + opportunity   → referral qualified, customer and opportunity recorded;
 *                                    converted when that opportunity is won
 */

type ReferralRow = typeof referrals.$inferSelect
type LeadRef = { id: string; referralId: string | null }

/** May progress (lead and opportunity changes) move this referral to `to`? (src/rules/referral-status.ts) */
const mayMove = (from: ReferralStatus, to: ReferralStatus) => decideReferralMove({ from, to, via: 'progress' }).allowed

/** The referral of a lead, locked: concurrent progress on one referral queues. */
async function lockReferral(tx: Executor, referralId: string): Promise<ReferralRow | undefined> {
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, referralId)).for('update')
  return row
}

async function save(tx: Executor, id: string, values: Partial<typeof referrals.$inferInsert>): Promise<ReferralRow> {
  const [row] = await tx.update(referrals)
    .set({ ...values, version: sql`${referrals.version} + 1`, updatedAt: new Date() })
    .where(eq(referrals.id, id)).returning()
  return row
}

/** What referral events carry: ids and times, never the referred person's contact. */
function eventData(row: ReferralRow) {
  return {
    id: row.id, referrerId: row.referrerId, campaignId: row.campaignId, status: row.status, leadId: row.leadId,
    customerId: row.customerId, opportunityId: row.opportunityId, qualifiedAt: row.qualifiedAt,
    convertedAt: row.convertedAt, version: row.version
  }
}

function announce({ audit, emit }: Action, before: ReferralRow, after: ReferralRow, via: string): void {
  const changes = { status: { from: before.status, to: after.status }, via }
  audit({ action: `referral.${after.status}`, entityType: 'referral', entityId: after.id, changes })
  emit({ type: `referral.${after.status}`, entityType: 'referral', entityId: after.id, data: { referral: eventData(after), from: before.status, via } })
}

async function qualify(action: Action, row: ReferralRow, now: Date, via: string, extra: Partial<typeof referrals.$inferInsert> = {}): Promise<ReferralRow> {
  const after = await save(action.tx, row.id, { ...extra, status: 'qualified', qualifiedAt: now })
  announce(action, row, after, via)
  await incentivesOnReferral(action, 'referral_qualified', after, now)
  return after
}

async function convert(action: Action, row: ReferralRow, now: Date, via: string, extra: Partial<typeof referrals.$inferInsert> = {}): Promise<ReferralRow> {
  const after = await save(action.tx, row.id, { ...extra, status: 'converted', convertedAt: now })
  announce(action, row, after, via)
  // Converted straight from submitted: it was qualified on the way, and earns that too.
  if (row.status !== 'qualified') await incentivesOnReferral(action, 'referral_qualified', after, now)
  await incentivesOnReferral(action, 'referral_converted', after, now)
  // The new customer may be asked how the conversion went (docs/service.md).
  await surveysOnReferralConverted(action, after, now)
  return after
}

/**
 * A lead's status changed. `qualified` qualifies a `submitted` referral. Other statuses
 * (contacted, disqualified, dormant, new) leave the referral as it is: the referral records
 * what the referrer did, and a disqualified lead may be reopened and qualified later.
 */
export async function referralOnLeadStatus(action: Action, lead: LeadRef, status: string, now: Date): Promise<void> {
  if (!lead.referralId || status !== 'qualified') return
  const row = await lockReferral(action.tx, lead.referralId)
  if (!row || !mayMove(row.status, 'qualified')) return
  await qualify(action, row, now, 'lead_qualified')
}

/**
 * A lead was converted into `customerId` (and `opportunityId` when conversion opened one).
 * The referral records both; it is converted at once when there is no opportunity (or
 * the opportunity is already won), else it waits, qualified, for that opportunity to be won.
 */
export async function referralOnLeadConverted(
  action: Action, lead: LeadRef, customerId: string, opportunityId: string | null, now: Date
): Promise<void> {
  if (!lead.referralId) return
  const row = await lockReferral(action.tx, lead.referralId)
  if (!row || !mayMove(row.status, 'converted')) return
  const links = { customerId, opportunityId, leadId: row.leadId ?? lead.id }
  const won = opportunityId !== null && await opportunityIsWon(action.tx, opportunityId)
  if (opportunityId === null || won) {
    await convert(action, row, now, opportunityId === null ? 'lead_converted' : 'opportunity_won', { ...links, ...(row.qualifiedAt ? {} : { qualifiedAt: now }) })
    return
  }
  if (row.status === 'submitted') await qualify(action, row, now, 'lead_converted', links)
  else await save(action.tx, row.id, links)
}

/**
 * An opportunity was won: the referral waiting on it (recorded by referralOnLeadConverted)
 * is converted. Found through the opportunity's lead, so the lookup stays on indexed keys.
 */
export async function referralOnOpportunityWon(action: Action, opportunityId: string, now: Date): Promise<void> {
  const [ref] = await action.tx.select({ referralId: leads.referralId }).from(opportunities)
    .innerJoin(leads, eq(leads.id, opportunities.leadId))
    .where(eq(opportunities.id, opportunityId))
  if (!ref?.referralId) return
  const [row] = await action.tx.select().from(referrals)
    .where(and(eq(referrals.id, ref.referralId), eq(referrals.opportunityId, opportunityId), inArray(referrals.status, ['submitted', 'qualified'])))
    .for('update')
  if (!row) return
  await convert(action, row, now, 'opportunity_won', row.qualifiedAt ? {} : { qualifiedAt: now })
}

async function opportunityIsWon(tx: Executor, id: string): Promise<boolean> {
  const [row] = await tx.select({ stage: opportunities.stage }).from(opportunities).where(eq(opportunities.id, id))
  return row?.stage === 'won'
}
