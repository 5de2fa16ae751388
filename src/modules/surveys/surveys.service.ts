import type { SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { surveyResponses, surveys } from '../../db/schema/surveys.js'
import { notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import { ReferrersService } from '../referrers/referrers.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { answerSurvey, publicQuestion } from './survey-answers.js'
import { dispatchSurveys } from './survey-dispatch.js'
import { inviteReferrer } from './survey-referrer.js'
import { responseConditions, responseOwner, responsesRepository, type Satisfaction } from './survey-responses.js'
import { scheduleSurveys, type Scheduled, type SurveyTriggerFacts } from './survey-scheduling.js'
import { surveyConditions, surveysRepository as repo, type SurveyRow } from './surveys.repository.js'
import {
  PublicSurveyAnswer, SurveyCreate, SurveyFilter, SurveyResponseFilter, SurveyUpdate, type SurveyOrderField
} from './surveys.schemas.js'
import { responseView, surveyView, type Survey, type SurveyResponse, type SurveyResponseRow } from './surveys.views.js'

export type { Survey, SurveyResponse } from './surveys.views.js'
export type SurveyOrder = { field: SurveyOrderField; direction: 'ASC' | 'DESC' }
/** The trigger as the brief names it: sourceId is the ticket, order or referral id (also given by its own name, for readability). */

const orderColumns = { createdAt: surveys.createdAt, updatedAt: surveys.updatedAt }
const auditedFields = ['name', 'questionZh', 'questionEn', 'delayMinutes', 'channel', 'cooldownDays', 'expiresAfterHours', 'active'] as const

/**
 * 满意度调查 (docs/service.md): survey definitions, the invitations a trigger
 * schedules and the dispatch job sends, the customer's answer by token, and what an answer
 * sets off (a detractor's task, a promoter's invitation to refer).
 */
export class SurveysService {
  private readonly referrers: ReferrersService

  constructor(private readonly deps: ServiceDeps) {
    this.referrers = new ReferrersService(deps)
  }

  /** One survey definition, or NOT_FOUND. Every role with a surveys grant reads every definition. */
  async get(actor: Actor, id: string): Promise<Survey> {
    authorize(actor, 'surveys', 'read')
    const row = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!row) throw notFound('Survey', id)
    return surveyView(row)
  }

  /** Batched read for loaders: surveys by id, in the order asked. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Survey | null)[]> {
    authorize(actor, 'surveys', 'read')
    const byId = new Map((await repo.byIds(this.deps.db, ids.filter(isUuid))).map((r) => [r.id, surveyView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of survey definitions. */
  async list(actor: Actor, filter: unknown, order: SurveyOrder, page: PageRequest) {
    authorize(actor, 'surveys', 'read')
    const where = surveyConditions(parse(SurveyFilter, filter ?? {}))
    const keyset = new Keyset(order.field, orderColumns[order.field], surveys.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => surveyView(r as SurveyRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Defines a survey: its kind, question, trigger, delay, channel, cooldown and expiry. */
  async create(actor: Actor, input: unknown): Promise<Survey> {
    authorize(actor, 'surveys', 'write')
    const data = parse(SurveyCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      let row: SurveyRow
      try {
        row = await repo.insert(tx, { ...data, questionEn: data.questionEn ?? null, externalId: data.externalId ?? null })
      } catch (err) { throw asTaken(err, 'survey') }
      const view = surveyView(row)
      audit({ action: 'survey.created', entityType: 'survey', entityId: row.id, changes: view })
      emit({ type: 'survey.created', entityType: 'survey', entityId: row.id, data: { survey: view } })
      return view
    })
  }

  /** Changes a survey; `active: false` stops it and cancels its invitations not yet sent. */
  async update(actor: Actor, id: string, input: unknown): Promise<Survey> {
    authorize(actor, 'surveys', 'write')
    const { expectedVersion, ...data } = parse(SurveyUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = isUuid(id) ? await repo.lock(tx, id) : undefined
      if (!before) throw notFound('Survey', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Survey', expectedVersion, before.version)
      const changes = changedFields(surveyView(before), { ...surveyView(before), ...data }, auditedFields)
      if (Object.keys(changes).length === 0) return surveyView(before)
      const after = await repo.update(tx, id, data)
      const cancelled = before.active && !after.active ? await repo.cancelScheduled(tx, id) : 0
      audit({ action: 'survey.updated', entityType: 'survey', entityId: id, changes: { ...changes, ...(cancelled ? { cancelledInvitations: cancelled } : {}) } })
      emit({ type: 'survey.updated', entityType: 'survey', entityId: id, data: { id, version: after.version, changes } })
      return surveyView(after)
    })
  }

  /** One pass of the survey-dispatch job as of `now` (whatever the date: tests time-travel). */
  dispatch(now: Date) {
    return dispatchSurveys(this.deps, now)
  }

  /** The question behind a live token, for the public page (nothing about the customer). */
  publicQuestion(token: string, now = new Date()) {
    return publicQuestion(this.deps, token, now)
  }

  /** The customer's one answer to an invitation, by its token. */
  async answer(token: string, input: unknown, meta: { requestId: string | null }, now = new Date()): Promise<SurveyResponse> {
    const data = parse(PublicSurveyAnswer, input)
    return responseView(await answerSurvey(this.deps, token, data, meta, now))
  }

  /** Sales see the answers of customers their team owns; other survey readers see all. */
  responseScope(actor: Actor): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'surveys', 'read'), { owner: responseOwner })
  }

  /** One answer in reach, or NOT_FOUND. */
  async response(actor: Actor, id: string): Promise<SurveyResponse> {
    const row = isUuid(id) ? await responsesRepository.byId(this.deps.db, id, this.responseScope(actor)) : undefined
    if (!row) throw notFound('Survey response', id)
    return responseView(row)
  }

  /** A keyset page of answers (newest first by default), filtered, in the actor's reach. */
  async responses(actor: Actor, filter: unknown, direction: 'ASC' | 'DESC', page: PageRequest) {
    const scope = this.responseScope(actor)
    const where = responseConditions(parse(SurveyResponseFilter, filter ?? {}))
    if (scope) where.push(scope)
    const keyset = new Keyset('answeredAt', surveyResponses.answeredAt, surveyResponses.id, direction, page)
    const result = keyset.page(await responsesRepository.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => responseView(r as SurveyResponseRow)), count: () => responsesRepository.count(this.deps.db, where) }
  }

  /**
   * Latest NPS and CSAT per customer, for `Customer.satisfaction` on customers the caller
   * already sees; null for a role without the surveys grant.
   */
  async satisfactionOf(actor: Actor, customerIds: string[]): Promise<(Satisfaction | null)[]> {
    try {
      authorize(actor, 'surveys', 'read')
    } catch {
      return customerIds.map(() => null)
    }
    const found = await responsesRepository.latestByCustomer(this.deps.db, customerIds.filter(isUuid))
    const none: Satisfaction = { latestNps: null, latestNpsAt: null, latestCsat: null, latestCsatAt: null }
    return customerIds.map((id) => found.get(id) ?? none)
  }

  /** Makes a customer a referrer (kind customer, with a code), or returns the one they are. */
  inviteReferrer(actor: Actor, customerId: string) {
    return inviteReferrer(this.deps, this.referrers, actor, customerId)
  }
}
