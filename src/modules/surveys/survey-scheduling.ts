import { and, eq, gt, lt, ne, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import { leads } from '../../db/schema/leads.js'
import { surveyInvitations } from '../../db/schema/surveys.js'
import { surveysRepository, type SurveyRow } from './surveys.repository.js'
import type { SurveyTrigger } from './surveys.schemas.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/** What happened that may be followed by a survey (docs/service.md, "Scheduling"). */
export type SurveyTriggerFacts = {
  kind: SurveyTrigger
  /** The ticket, order or referral id: with the kind, the invitation's triggerKey. */
  sourceId: string
  customerId: string
  /** The agent (ticket) or owner (order, referral) involved; a detractor's task may go to them. */
  agentId: string | null
  /** When it happened: the delay counts from here. */
  at: Date
}

export type Scheduled = { surveyId: string; invitationId: string; sendAt: Date }

/**
 * Inside the triggering action: for each active survey of this trigger, one invitation to
 * be sent `delayMinutes` after the trigger, unless the customer has one of that survey within
 * its cooldown (survey fatigue). A transaction-scoped advisory lock on (survey, customer)
 * makes the cooldown hold when two triggers for one customer commit at once; the unique
 * (surveyId, triggerKey) makes a replayed trigger a no-op. A trigger so old that the
 * invitation would already have run out (an imported history) invites no one.
 */
export async function scheduleSurveys(action: Action, trigger: SurveyTriggerFacts, now: Date, active?: SurveyRow[]): Promise<Scheduled[]> {
  const candidates = active ?? await surveysRepository.activeFor(action.tx, trigger.kind)
  const scheduled: Scheduled[] = []
  for (const survey of candidates) {
    const sendAt = new Date(trigger.at.getTime() + survey.delayMinutes * MINUTE)
    if (sendAt.getTime() + survey.expiresAfterHours * HOUR <= now.getTime()) continue
    const row = await scheduleOne(action, survey, trigger, sendAt)
    if (row) scheduled.push(row)
  }
  return scheduled
}

async function scheduleOne(action: Action, survey: SurveyRow, trigger: SurveyTriggerFacts, sendAt: Date): Promise<Scheduled | null> {
  const { tx } = action
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${survey.id}), hashtext(${trigger.customerId}))`)
  if (survey.cooldownDays > 0) {
    const window = survey.cooldownDays * DAY
    const [recent] = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations).where(and(
      eq(surveyInvitations.customerId, trigger.customerId), eq(surveyInvitations.surveyId, survey.id),
      ne(surveyInvitations.status, 'cancelled'),
      gt(surveyInvitations.sendAt, new Date(sendAt.getTime() - window)), lt(surveyInvitations.sendAt, new Date(sendAt.getTime() + window))
    )).limit(1)
    if (recent) return null
  }
  const [row] = await tx.insert(surveyInvitations).values({
    surveyId: survey.id, customerId: trigger.customerId, triggerKey: `${trigger.kind}:${trigger.sourceId}`,
    ticketId: trigger.kind === 'ticket_resolved' ? trigger.sourceId : null,
    orderId: trigger.kind === 'order_paid' ? trigger.sourceId : null,
    referralId: trigger.kind === 'referral_converted' ? trigger.sourceId : null,
    agentId: trigger.agentId, sendAt
  }).onConflictDoNothing({ target: [surveyInvitations.surveyId, surveyInvitations.triggerKey] }).returning({ id: surveyInvitations.id })
  if (!row) return null
  action.audit({ action: 'survey_invitation.scheduled', entityType: 'survey_invitation', entityId: row.id, changes: { surveyId: survey.id, customerId: trigger.customerId, triggerKey: `${trigger.kind}:${trigger.sourceId}`, sendAt: sendAt.toISOString() } })
  return { surveyId: survey.id, invitationId: row.id, sendAt }
}

/**
 * A referral was converted (referral-progress.ts, in the conversion's action): its new
 * customer is asked about the lead owner who converted them. Costs one statement when no
 * survey follows conversions.
 */
export async function surveysOnReferralConverted(
  action: Action, referral: { id: string; customerId: string | null; leadId: string | null }, now: Date
): Promise<Scheduled[]> {
  if (!referral.customerId) return []
  const active = await surveysRepository.activeFor(action.tx, 'referral_converted')
  if (active.length === 0) return []
  const [lead] = referral.leadId ? await action.tx.select({ ownerId: leads.ownerId }).from(leads).where(eq(leads.id, referral.leadId)) : []
  return scheduleSurveys(action, {
    kind: 'referral_converted', sourceId: referral.id, customerId: referral.customerId, agentId: lead?.ownerId ?? null, at: now
  }, now, active)
}
