import { CrmError, invalid, uniqueViolation } from '../../errors.js'
import type { StageDecision } from '../../rules/opportunity-stages.js'
import { asTaken } from '../common/unique.js'
import type { OpportunityInsert, OpportunityRow, StageHistoryRow } from './opportunities.repository.js'
import type { OpportunityUpdate } from './opportunities.schemas.js'

/** Between rows and what clients see: views, column values, and decisions as typed errors. */
export type Opportunity = ReturnType<typeof toView>
export type StageChange = ReturnType<typeof toStageChange>
export type Accepted = Exclude<StageDecision, { ok: false }>
export type Moved = Extract<StageDecision, { changed: true }>

/** A refused stage decision as the typed error a client sees; an accepted one as is. */
export function decided(decision: StageDecision): Accepted {
  if (decision.ok) return decision
  if (decision.code === 'INVALID_TRANSITION') {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', decision.explanation, [{ field: decision.field, message: decision.explanation, code: 'INVALID_TRANSITION' }])
  }
  throw invalid(decision.field, decision.explanation, decision.code)
}

/** The columns a stage move sets; closedAt only on won/lost. */
export function stageColumns(decision: Moved) {
  const now = new Date()
  return { stage: decision.stage, probability: decision.probability, lostReason: decision.lostReason, stageChangedAt: now, closedAt: decision.closed ? now : null }
}

export function columns(data: Omit<OpportunityUpdate, 'probability' | 'expectedVersion'>): Partial<OpportunityInsert> {
  const { amount, ...plain } = data
  return { ...plain, ...(amount ? { amount: amount.amount, currency: amount.currency ?? 'CNY' } : {}) }
}

export function toView(row: OpportunityRow) {
  const { deletedAt: _d, amount, currency, ...rest } = row
  return { ...rest, amount: { amount, currency } }
}

export function toStageChange(row: StageHistoryRow) {
  return { from: row.fromStage, to: row.toStage, probability: row.probability, reason: row.reason, changedById: row.changedById, changedAt: row.changedAt }
}

const references = ['customerId', 'ownerId', 'leadId', 'campaignId', 'referrerId'] as const

/**
 * A write's database error as a client's mistake where it is one: a taken externalId
 * (CONFLICT) or a leadId / campaignId / referrerId that does not exist (userError).
 */
export function asInputError(err: unknown): unknown {
  if (uniqueViolation(err)) return asTaken(err, 'opportunity')
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } }
  const fk = e?.code === '23503' ? e : e?.cause?.code === '23503' ? e.cause : null
  if (!fk) return err
  const field = references.find((f) => fk.constraint?.includes(`_${f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}_`)) ?? null
  return field ? invalid(field, 'refers to a record that does not exist', 'UNKNOWN_REFERENCE')
    : new CrmError('CRM_ERR_VALIDATION', 'A referenced record does not exist', [{ field: null, message: 'refers to a record that does not exist', code: 'UNKNOWN_REFERENCE' }])
}
