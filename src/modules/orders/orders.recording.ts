import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { CrmError, invalid, staleVersion } from '../../errors.js'
import { checkAmountCorrection, checkPaidAt, type Refusal } from '../../rules/orders.js'
import { incentivesOnOrderPaid, type PaidOrderFacts } from '../incentives/incentive-triggers.js'
import { loyaltyOnOrderRecorded } from '../loyalty/order-loyalty.js'
import { scheduleSurveys } from '../surveys/survey-scheduling.js'
import { addOrder, nearEdge, recountCustomers, shareEdgeLock } from '../scoring/scoring.aggregates.js'
import { ordersRepository as repo } from './orders.repository.js'
import { replayDifferences, sameJson, type Recording } from './orders.replay.js'
import { customerFacts, insertOrder, type CustomerFacts } from './orders.statements.js'
import { orderView, type OrderRow } from './orders.views.js'

/**
 * Recording an order inside an open action: the customer it belongs to, what it is
 * attributed to, the insert that is idempotent on externalId, and corrections by PUT.
 */

export type CustomerRef = { id: string } | { externalId: string }
/** What recordOrder / PUT give, validated; undefined: not given. */
export type OrderData = Omit<Recording, 'customerId'> & { externalId: string | null }
export type Recorded = { row: OrderRow; created: boolean; differences: string[] }

/** A refused rule decision as the typed error a client sees (422 for the order's state, 400 for the input). */
export function refused(r: Refusal): CrmError {
  return new CrmError(r.kind === 'state' ? 'CRM_ERR_INVALID_TRANSITION' : 'CRM_ERR_VALIDATION', `${r.field}: ${r.explanation}`,
    [{ field: r.field, message: r.explanation, code: r.code }])
}

export function replayConflict(differences: string[]): CrmError {
  const what = `an order with a different ${differences.join(', ')}`
  return new CrmError('CRM_ERR_CONFLICT', `externalId: already used by ${what}`, [{
    field: 'externalId', code: 'TAKEN',
    message: `is already used by ${what}; to change an order, PUT /api/v1/orders/by-external-id/{externalId} (upsertOrder)`
  }])
}

const immutable = (field: string, message: string) =>
  new CrmError('CRM_ERR_CONFLICT', `${field}: ${message}`, [{ field, message, code: 'IMMUTABLE' }])

/**
 * The customer an order goes to: a merged customer's survivor, never a deleted one.
 * `visible` checks the writer's reach when it is not unlimited.
 */
export async function resolveCustomer(ex: Executor, ref: CustomerRef, visible?: (id: string) => Promise<boolean>): Promise<CustomerFacts> {
  const field = 'id' in ref ? 'customerId' : 'customerExternalId'
  let facts = await customerFacts(ex, ref)
  for (let hops = 0; facts?.mergedIntoId && hops < 20; hops++) facts = await customerFacts(ex, { id: facts.mergedIntoId })
  if (!facts || facts.deleted || (visible && !(await visible(facts.id)))) {
    throw invalid(field, 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
  }
  return facts
}

/**
 * Fixed when the order is recorded: a referred customer's order belongs to its referral's
 * referrer (else the customer's credited referrer) and, unless given, the referral's campaign.
 */
export function attribution(customer: CustomerFacts, campaignId: string | null | undefined) {
  return {
    referralId: customer.referralId,
    referrerId: customer.referralReferrerId ?? customer.referrerId,
    campaignId: campaignId !== undefined ? campaignId : customer.referralCampaignId
  }
}

export function paidFacts(row: OrderRow): PaidOrderFacts {
  return {
    id: row.id, customerId: row.customerId, referralId: row.referralId, referrerId: row.referrerId, campaignId: row.campaignId,
    amount: row.amount - row.refundedAmount, currency: row.currency, paidAt: row.paidAt
  }
}

/**
 * Inserts the order, or, when its externalId is already taken, finds the order that has
 * it and says how this request differs from it (none: a replay). A new order is
 * announced (`order.recorded`) and, when referred, reported to the incentives.
 */
export async function insertOrReplay(action: Action, customer: CustomerFacts, data: OrderData, now: Date, windowDays: number | null): Promise<Recorded> {
  const paidAt = data.paidAt ?? now
  const late = checkPaidAt(paidAt, now)
  if (late) throw refused(late)
  if (nearEdge(paidAt, now, windowDays)) await shareEdgeLock(action.tx)
  let row: OrderRow | null
  try {
    row = await insertOrder(action.tx, {
      id: uuidv7(), externalId: data.externalId, createdAt: now, updatedAt: now, customerId: customer.id,
      ...attribution(customer, data.campaignId), amount: data.amount, currency: data.currency,
      paidAt, note: data.note ?? null, attributes: data.attributes ?? {}
    })
  } catch (err) {
    throw asReferenceError(err)
  }
  if (!row) {
    const stored = await repo.byExternalId(action.tx, data.externalId!)
    if (!stored) throw replayConflict(['record'])
    return { row: stored, created: false, differences: replayDifferences(stored, { ...data, customerId: customer.id }) }
  }
  // The customer's RFM aggregates, in this same transaction (docs/scoring.md).
  await addOrder(action.tx, row.customerId, row.amount, row.paidAt)
  const view = orderView(row)
  action.audit({ action: 'order.recorded', entityType: 'order', entityId: row.id, changes: view })
  action.emit({ type: 'order.recorded', entityType: 'order', entityId: row.id, data: { order: view } })
  // A referred customer's paid order may earn rewards, in this same transaction.
  if (row.referrerId) await incentivesOnOrderPaid(action, paidFacts(row), now)
  // Any customer's order may earn points and move its member level (docs/loyalty.md).
  if (customer.earnsPoints || customer.memberLevels) await loyaltyOnOrderRecorded(action, row, customer, now)
  // And be followed by a satisfaction survey, asked of the customer about its owner (docs/service.md).
  if (customer.orderSurveys) {
    await scheduleSurveys(action, { kind: 'order_paid', sourceId: row.id, customerId: row.customerId, agentId: customer.ownerId, at: row.paidAt }, now)
  }
  return { row, created: true, differences: [] }
}

/**
 * PUT onto an existing (locked) order: note, attributes and paidAt change freely, the
 * amount only while there are no refunds; customer and campaign are fixed. Audited as
 * `order.updated` (no event: integrators learn of orders through order.recorded and
 * order.refunded). Nothing to change: the order as it is.
 */
export async function correctOrder(action: Action, before: OrderRow, customer: CustomerFacts, data: OrderData, expectedVersion: number | undefined, now: Date): Promise<OrderRow> {
  if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Order', expectedVersion, before.version)
  if (customer.id !== before.customerId) throw immutable('customerId', 'cannot change: the order belongs to another customer')
  if (data.campaignId !== undefined && data.campaignId !== before.campaignId) throw immutable('campaignId', 'cannot change once the order is recorded')
  const amountRefusal = checkAmountCorrection(before, data)
  if (amountRefusal) throw refused(amountRefusal)
  const next = {
    amount: data.amount, currency: data.currency, paidAt: data.paidAt ?? before.paidAt,
    note: data.note !== undefined ? data.note : before.note, attributes: data.attributes ?? before.attributes
  }
  const changes: Record<string, { from: unknown; to: unknown }> = {}
  if (next.amount !== before.amount || next.currency !== before.currency) {
    changes.amount = { from: { amount: before.amount, currency: before.currency }, to: { amount: next.amount, currency: next.currency } }
  }
  if (next.paidAt.getTime() !== before.paidAt.getTime()) changes.paidAt = { from: before.paidAt, to: next.paidAt }
  if (next.note !== before.note) changes.note = { from: before.note, to: next.note }
  if (!sameJson(next.attributes, before.attributes)) changes.attributes = { from: before.attributes, to: next.attributes }
  if (Object.keys(changes).length === 0) return before
  if (changes.paidAt) await checkNewPaidAt(action.tx, before, next.paidAt, now)
  const after = await repo.update(action.tx, before.id, next, now)
  if (changes.amount || changes.paidAt) await recountCustomers(action.tx, [before.customerId])
  action.audit({ action: 'order.updated', entityType: 'order', entityId: before.id, changes })
  return after
}

/** A corrected payment time must still be acceptable, and not after a refund already made. */
async function checkNewPaidAt(ex: Executor, order: OrderRow, paidAt: Date, now: Date): Promise<void> {
  const late = checkPaidAt(paidAt, now)
  if (late) throw refused(late)
  const firstRefund = order.refundedAmount > 0 ? await repo.firstRefundAt(ex, order.id) : null
  if (firstRefund && firstRefund.getTime() < paidAt.getTime()) {
    throw invalid('paidAt', `cannot be after the order's first refund (${firstRefund.toISOString()})`, 'AFTER_REFUND')
  }
}

/** A campaignId that names no campaign is the caller's mistake, not a 500. */
function asReferenceError(err: unknown): unknown {
  const e = err as { code?: string; constraint?: string; cause?: { code?: string; constraint?: string } }
  const fk = e?.code === '23503' ? e : e?.cause?.code === '23503' ? e.cause : null
  if (fk?.constraint?.includes('campaign')) return invalid('campaignId', 'refers to no campaign', 'UNKNOWN_REFERENCE')
  return err
}
