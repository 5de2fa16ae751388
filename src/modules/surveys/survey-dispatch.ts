import { and, asc, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { customers } from '../../db/schema/customers.js'
import { surveyInvitations } from '../../db/schema/surveys.js'
import { actionContext, systemActor } from '../auth/actor.js'
import type { ServiceDeps } from '../service-deps.js'
import { surveysRepository } from './surveys.repository.js'
import { newSurveyToken, surveyPath } from './survey-tokens.js'

const HOUR = 3_600_000
/** Invitations per transaction: a backlog is worked off in short transactions. */
const BATCH = 200

type InvitationRow = typeof surveyInvitations.$inferSelect

/**
 * One pass of the survey-dispatch job as of `now`: due invitations are sent (a token, its
 * expiry, `survey.sent`), sent ones past their expiry expire. Rows are claimed with
 * SKIP LOCKED and changed only from the status they were read in, so two processes running
 * the job at once share the work and send each invitation exactly once.
 */
export async function dispatchSurveys(deps: ServiceDeps, now: Date): Promise<{ sent: number; cancelled: number; expired: number }> {
  const totals = { sent: 0, cancelled: 0, expired: 0 }
  for (;;) {
    const done = await runAction(deps.db, actionContext(systemActor), async (action) => {
      const due = await action.tx.select().from(surveyInvitations)
        .where(and(eq(surveyInvitations.status, 'scheduled'), lte(surveyInvitations.sendAt, now)))
        .orderBy(asc(surveyInvitations.sendAt)).limit(BATCH).for('update', { skipLocked: true })
      if (due.length === 0) return { claimed: 0, sent: 0, cancelled: 0 }
      const surveys = new Map((await surveysRepository.byIds(action.tx, [...new Set(due.map((r) => r.surveyId))])).map((s) => [s.id, s]))
      const gone = await goneCustomers(action.tx, due)
      let sent = 0
      const cancel: string[] = []
      for (const invitation of due) {
        const survey = surveys.get(invitation.surveyId)
        // A survey switched off (or deleted), or a customer deleted or merged away since: not sent.
        if (!survey?.active || gone.has(invitation.customerId)) { cancel.push(invitation.id); continue }
        const { token, hash } = newSurveyToken()
        const expiresAt = new Date(now.getTime() + survey.expiresAfterHours * HOUR)
        const [after] = await action.tx.update(surveyInvitations)
          .set({ status: 'sent', sentAt: now, tokenHash: hash, expiresAt })
          .where(and(eq(surveyInvitations.id, invitation.id), eq(surveyInvitations.status, 'scheduled'))).returning()
        if (!after) continue
        sent++
        const data = {
          invitation: invitationEventView(after),
          survey: { id: survey.id, name: survey.name, kind: survey.kind, channel: survey.channel, questionZh: survey.questionZh, questionEn: survey.questionEn },
          customerId: after.customerId, token, url: surveyPath(token)
        }
        action.audit({ action: 'survey_invitation.sent', entityType: 'survey_invitation', entityId: after.id, changes: { status: { from: 'scheduled', to: 'sent' }, expiresAt: expiresAt.toISOString() } })
        action.emit({ type: 'survey.sent', entityType: 'survey_invitation', entityId: after.id, data })
      }
      if (cancel.length > 0) {
        await action.tx.update(surveyInvitations).set({ status: 'cancelled' })
          .where(and(inArray(surveyInvitations.id, cancel), eq(surveyInvitations.status, 'scheduled')))
      }
      return { claimed: due.length, sent, cancelled: cancel.length }
    })
    totals.sent += done.sent
    totals.cancelled += done.cancelled
    if (done.claimed < BATCH) break
  }
  totals.expired = await expireInvitations(deps, now)
  return totals
}

/**
 * Sent invitations past their expiry expire and lose their token hash; answered ones keep
 * theirs until then (a second answer is told "already answered"), and lose it now too.
 */
async function expireInvitations(deps: ServiceDeps, now: Date): Promise<number> {
  let total = 0
  for (;;) {
    const done = await runAction(deps.db, actionContext(systemActor), async ({ tx }) => {
      const due = await tx.select({ id: surveyInvitations.id }).from(surveyInvitations)
        .where(and(inArray(surveyInvitations.status, ['sent', 'answered']), isNotNull(surveyInvitations.tokenHash), lte(surveyInvitations.expiresAt, now)))
        .limit(BATCH).for('update', { skipLocked: true })
      if (due.length === 0) return { claimed: 0, expired: 0 }
      const rows = await tx.update(surveyInvitations)
        .set({ tokenHash: null, status: sql`case when ${surveyInvitations.status} = 'sent' then 'expired'::survey_invitation_status else ${surveyInvitations.status} end` })
        .where(inArray(surveyInvitations.id, due.map((r) => r.id)))
        .returning({ status: surveyInvitations.status })
      return { claimed: due.length, expired: rows.filter((r) => r.status === 'expired').length }
    })
    total += done.expired
    if (done.claimed < BATCH) return total
  }
}

async function goneCustomers(ex: Parameters<typeof surveysRepository.byIds>[0], rows: InvitationRow[]): Promise<Set<string>> {
  const ids = [...new Set(rows.map((r) => r.customerId))]
  const found = await ex.select({ id: customers.id }).from(customers)
    .where(and(inArray(customers.id, ids), sql`${customers.deletedAt} is null and ${customers.mergedIntoId} is null`))
  const live = new Set(found.map((r) => r.id))
  return new Set(ids.filter((id) => !live.has(id)))
}

/** The invitation as events carry it: never its token hash. */
export function invitationEventView(row: InvitationRow) {
  const { tokenHash: _h, ...rest } = row
  return rest
}
