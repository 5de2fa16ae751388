import { canonicalJson } from '../../lib/canonical-json.js'
import type { OrderRow } from './orders.views.js'

/** What a recordOrder call says about its order; an undefined field was not given. */
export type Recording = {
  customerId: string
  amount: number
  currency: string
  paidAt?: Date
  campaignId?: string | null
  note?: string | null
  attributes?: Record<string, unknown>
}

/**
 * The fields in which `request` disagrees with the stored order that has its externalId:
 * none means the call is a replay of the one that recorded it. Fields the request leaves
 * out are not compared (a retry that omits paidAt took "now" the first time).
 */
export function replayDifferences(stored: OrderRow, request: Recording): string[] {
  const out: string[] = []
  if (stored.customerId !== request.customerId) out.push('customer')
  if (stored.amount !== request.amount || stored.currency !== request.currency) out.push('amount')
  if (request.paidAt !== undefined && stored.paidAt.getTime() !== request.paidAt.getTime()) out.push('paidAt')
  if (request.campaignId !== undefined && stored.campaignId !== request.campaignId) out.push('campaignId')
  if (request.note !== undefined && stored.note !== request.note) out.push('note')
  if (request.attributes !== undefined && !sameJson(stored.attributes, request.attributes)) out.push('attributes')
  return out
}

/** Equal as JSON values, whatever the key order (jsonb stores keys in its own order). */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
