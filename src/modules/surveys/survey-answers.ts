import { and, eq, isNull } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { surveyInvitations, surveyResponses } from '../../db/schema/surveys.js'
import { CrmError, invalid, notFound } from '../../errors.js'
import { addBusinessMinutes, type WorkingCalendar } from '../../rules/business-hours.js'
import { classifyScore, scales, scoreProblem } from '../../rules/survey-score.js'
import { onSurveyAnswered } from '../incentives/service-triggers.js'
import type { ServiceDeps } from '../service-deps.js'
import { tasksRepository } from '../tasks/tasks.repository.js'
import { loadWorkingCalendar } from '../tickets/sla/calendar.repository.js'
import { surveysRepository, type SurveyRow } from './surveys.repository.js'
import type { PublicSurveyAnswer } from './surveys.schemas.js'
import { hashSurveyToken } from './survey-tokens.js'
import { responseView, type SurveyResponseRow } from './surveys.views.js'

export const DETRACTOR_TASK_ORIGIN = 'survey_detractor'
type InvitationRow = typeof surveyInvitations.$inferSelect
type RequestMeta = { requestId: string | null }

/** The question behind a live token (sent, not answered, not expired), or NOT_FOUND. */
export async function publicQuestion(deps: ServiceDeps, token: string, now: Date) {
  const [invitation] = await deps.db.select().from(surveyInvitations).where(eq(surveyInvitations.tokenHash, hashSurveyToken(token)))
  const survey = invitation && isOpen(invitation, now) ? await surveysRepository.byId(deps.db, invitation.surveyId) : undefined
  if (!invitation || !survey) throw notFound('Survey')
  return {
    kind: survey.kind, questionZh: survey.questionZh, questionEn: survey.questionEn,
    scale: scales[survey.kind], expiresAt: invitation.expiresAt!
  }
}

const isOpen = (row: InvitationRow, now: Date) => row.status === 'sent' && row.expiresAt !== null && row.expiresAt > now

/**
 * The customer's answer by token: one answer per invitation. The invitation row is locked,
 * so of two answers at once the second waits and is then told the survey was already
 * answered (CONFLICT); the unique invitationId of survey_responses backs that up. Emits
 * `survey.answered`, and `survey.detractor` (with a follow-up task due within one business
 * day) or `survey.promoter`, all in this one transaction.
 */
export async function answerSurvey(deps: ServiceDeps, token: string, answer: PublicSurveyAnswer, meta: RequestMeta, now: Date): Promise<SurveyResponseRow> {
  const ctx = { actorType: 'public' as const, actorId: null, actorRole: null, apiKeyId: null, requestId: meta.requestId }
  return runAction(deps.db, ctx, async (action) => {
    const [invitation] = await action.tx.select().from(surveyInvitations)
      .where(eq(surveyInvitations.tokenHash, hashSurveyToken(token))).for('update')
    if (invitation?.status === 'answered') throw alreadyAnswered()
    const survey = invitation && isOpen(invitation, now) ? await surveysRepository.byId(action.tx, invitation.surveyId) : undefined
    if (!invitation || !survey) throw notFound('Survey')
    const problem = scoreProblem(survey.kind, answer.score)
    if (problem) throw invalid('score', problem, 'OUT_OF_RANGE')
    const comment = answer.comment?.trim() ? answer.comment.trim() : null
    const [row] = await action.tx.insert(surveyResponses).values({
      invitationId: invitation.id, surveyId: survey.id, customerId: invitation.customerId, kind: survey.kind, score: answer.score, comment,
      ticketId: invitation.ticketId, orderId: invitation.orderId, referralId: invitation.referralId, agentId: invitation.agentId, answeredAt: now
    }).onConflictDoNothing({ target: surveyResponses.invitationId }).returning()
    if (!row) throw alreadyAnswered()
    await action.tx.update(surveyInvitations).set({ status: 'answered', answeredAt: now }).where(eq(surveyInvitations.id, invitation.id))
    await announce(deps, action, survey, row, now)
    return row
  })
}

const alreadyAnswered = () => new CrmError('CRM_ERR_CONFLICT', 'This survey has already been answered',
  [{ field: null, message: 'this survey has already been answered', code: 'ALREADY_ANSWERED' }])

/** What an answer sets off: the events, and a detractor's follow-up task. */
async function announce(deps: ServiceDeps, action: Action, survey: SurveyRow, row: SurveyResponseRow, now: Date): Promise<void> {
  const response = responseView(row)
  action.audit({ action: 'survey_response.created', entityType: 'survey_response', entityId: row.id, changes: { ...response, comment: row.comment !== null } })
  action.emit({ type: 'survey.answered', entityType: 'survey_response', entityId: row.id, data: { response, survey: { id: survey.id, name: survey.name, kind: survey.kind } } })
  // Rewards for answering (incentive trigger survey_answered) commit with the counted answer.
  await onSurveyAnswered(action, { responseId: row.id, customerId: row.customerId, surveyId: survey.id, kind: row.kind, score: row.score, at: now })
  const category = classifyScore(row.kind, row.score)
  if (category === 'detractor') {
    const task = await detractorTask(deps, action, row, now)
    action.emit({ type: 'survey.detractor', entityType: 'survey_response', entityId: row.id, data: { response, taskId: task?.id ?? null, assigneeId: task?.assigneeId ?? null } })
  } else if (category === 'promoter') {
    const [referrer] = await action.tx.select({ id: referrers.id }).from(referrers)
      .where(and(eq(referrers.customerId, row.customerId), isNull(referrers.deletedAt))).limit(1)
    // referrerId null: the customer is not a referrer yet; inviteReferrer(customerId) makes them one.
    action.emit({ type: 'survey.promoter', entityType: 'survey_response', entityId: row.id, data: { response, referrerId: referrer?.id ?? null } })
  }
}

/**
 * A detractor's follow-up: for the ticket's agent when a ticket started the survey, else the
 * customer's (current) owner, due one business day from now in the working calendar.
 */
async function detractorTask(deps: ServiceDeps, action: Action, row: SurveyResponseRow, now: Date) {
  const [customer] = await action.tx.select({ name: customers.name, ownerId: customers.ownerId }).from(customers).where(eq(customers.id, row.customerId))
  const assigneeId = row.ticketId ? row.agentId ?? customer?.ownerId ?? null : customer?.ownerId ?? row.agentId
  const calendar = await loadWorkingCalendar(action.tx, deps.config.REPORTING_TIMEZONE)
  const task = await tasksRepository.insert(action.tx, {
    title: `Satisfaction follow-up: ${customer?.name ?? row.customerId} answered ${row.kind.toUpperCase()} ${row.score}`.slice(0, 300),
    description: row.comment, dueAt: addBusinessMinutes(calendar, now, businessDayMinutes(calendar)), priority: 'high',
    origin: DETRACTOR_TASK_ORIGIN, assigneeId, customerId: row.customerId
  })
  const { deletedAt: _d, ...view } = task
  action.audit({ action: 'task.created', entityType: 'task', entityId: task.id, changes: view })
  action.emit({ type: 'task.created', entityType: 'task', entityId: task.id, data: { task: view } })
  return task
}

/** One business day: the working minutes of a working day of the calendar. */
export function businessDayMinutes(calendar: WorkingCalendar): number {
  return calendar.intervals.reduce((sum, [from, to]) => sum + (to - from), 0)
}
