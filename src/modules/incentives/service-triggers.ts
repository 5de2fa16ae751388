import { eq } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { referrals } from '../../db/schema/referrals.js'
import type { IncentiveEvent } from '../../rules/incentives.types.js'
import { referrerFacts } from './incentive-facts.js'
import { incentiveRulesRepository as rules, toRule } from './incentive-rules.repository.js'
import { earnRewards } from './reward-ledger.js'
import type { RewardRow } from './rewards.views.js'

/**
 * Service events as incentive triggers (docs/incentives.md, "Service triggers"). The
 * beneficiary is the customer the event is about (`referred` side: points for answering a
 * survey), and, when that customer was referred, their referrer (`referrer` side); rules
 * whose beneficiary is `referred` pay a customer nobody referred. The customer's referral
 * gives the event its referrer and campaign. Called inside the answer's / resolution's own
 * action, so the rewards commit (or roll back) with it.
 */

/** A survey answer, just stored. */
export type SurveyAnsweredFacts = {
  responseId: string
  customerId: string
  surveyId: string
  kind: 'csat' | 'nps'
  score: number
  at: Date
}

/** A ticket moved to resolved. */
export type TicketResolvedFacts = {
  ticketId: string
  customerId: string
  at: Date
}

/** The customer's referral (the one that brought them in): its referrer and campaign, when there is one. */
export async function customerReferral(ex: Executor, customerId: string): Promise<Pick<IncentiveEvent, 'referrer' | 'referralId' | 'campaignId'>> {
  const [row] = await ex.select({ referralId: referrals.id, referrerId: referrals.referrerId, campaignId: referrals.campaignId })
    .from(customers).innerJoin(referrals, eq(referrals.id, customers.referredByReferralId))
    .where(eq(customers.id, customerId))
  if (!row) return { referrer: null, referralId: null, campaignId: null }
  return { referrer: await referrerFacts(ex, row.referrerId), referralId: row.referralId, campaignId: row.campaignId }
}

async function earn(action: Action, trigger: 'survey_answered' | 'ticket_resolved', key: string, customerId: string, at: Date, now: Date): Promise<RewardRow[]> {
  const referral = await customerReferral(action.tx, customerId)
  const active = (await rules.activeFor(action.tx, trigger, referral.campaignId)).map(toRule)
  if (active.length === 0) return []
  return earnRewards(action, { trigger, key, at, customerId, ...referral }, active, now)
}

/**
 * survey_answered, keyed `survey_answered:<response id>`: one answer earns once per rule and
 * beneficiary, however often this is called. The score is deliberately no condition: paying
 * more for a better score would buy the scores. Returns the rewards written.
 */
export function onSurveyAnswered(action: Action, facts: SurveyAnsweredFacts, now: Date = facts.at): Promise<RewardRow[]> {
  return earn(action, 'survey_answered', `survey_answered:${facts.responseId}`, facts.customerId, facts.at, now)
}

/**
 * ticket_resolved, keyed `ticket_resolved:<ticket id>`: a ticket earns on its first
 * resolution only; resolving it again after a reopen finds the key taken and writes nothing
 * (so reopening cannot farm rewards). Returns the rewards written.
 */
export function onTicketResolved(action: Action, facts: TicketResolvedFacts, now: Date = facts.at): Promise<RewardRow[]> {
  return earn(action, 'ticket_resolved', `ticket_resolved:${facts.ticketId}`, facts.customerId, facts.at, now)
}
