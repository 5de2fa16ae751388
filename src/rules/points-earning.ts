/**
 * Points for a paid order (消费积分): pure. A `base` rule gives `points` for every whole
 * `unitAmount` of the order's net amount (the first active, valid, matching base rule by
 * priority); every matching `multiplier` rule of the order's campaign multiplies that; the
 * customer's member level multiplies last. Multipliers are basis points of 1 (15000 = 1.5×);
 * the result rounds down once, at the end. The reference is docs/loyalty.md.
 */

export type EarningRule = {
  id: string
  name: string
  kind: 'base' | 'multiplier'
  active: boolean
  campaignId: string | null
  currency: string
  points: number | null
  unitAmount: number | null
  multiplierBp: number | null
  minOrderAmount: number | null
  validFrom: Date | null
  validUntil: Date | null
  priority: number
}

export type EarningOrder = { amount: number; currency: string; campaignId: string | null; at: Date }

export type OrderPoints = {
  points: number
  baseRuleId: string | null
  multiplierRuleIds: string[]
  /** Why, in a sentence (kept on the ledger entry). */
  reason: string
}

const ONE = 10000

function applies(rule: EarningRule, order: EarningOrder): boolean {
  if (!rule.active || rule.currency !== order.currency) return false
  if (rule.validFrom && order.at.getTime() < rule.validFrom.getTime()) return false
  if (rule.validUntil && order.at.getTime() >= rule.validUntil.getTime()) return false
  if (rule.minOrderAmount !== null && order.amount < rule.minOrderAmount) return false
  return rule.campaignId === null || rule.campaignId === order.campaignId
}

function byPriority(a: EarningRule, b: EarningRule): number {
  return a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export function orderPoints(order: EarningOrder, rules: readonly EarningRule[], levelMultiplierBp: number): OrderPoints {
  const none = (reason: string): OrderPoints => ({ points: 0, baseRuleId: null, multiplierRuleIds: [], reason })
  if (order.amount <= 0) return none('nothing paid')
  const matching = rules.filter((r) => applies(r, order)).sort(byPriority)
  const base = matching.find((r) => r.kind === 'base' && r.points !== null && r.unitAmount !== null && r.unitAmount > 0)
  if (!base) return none('no earning rule applies to this order')
  const multipliers = matching.filter((r) => r.kind === 'multiplier' && r.campaignId !== null && r.multiplierBp !== null)
  // Exact integer arithmetic: units × points × Π multipliers / ONE^k, rounded down once.
  let numerator = BigInt(Math.floor(order.amount / base.unitAmount!)) * BigInt(base.points!)
  let denominator = 1n
  for (const m of multipliers) { numerator *= BigInt(m.multiplierBp!); denominator *= BigInt(ONE) }
  numerator *= BigInt(levelMultiplierBp)
  denominator *= BigInt(ONE)
  const points = Number(numerator / denominator)
  const parts = [`${base.points} per ${base.unitAmount} ${order.currency} (${base.name})`]
  for (const m of multipliers) parts.push(`× ${m.multiplierBp! / ONE} (${m.name})`)
  if (levelMultiplierBp !== ONE) parts.push(`× ${levelMultiplierBp / ONE} (member level)`)
  return { points, baseRuleId: base.id, multiplierRuleIds: multipliers.map((m) => m.id), reason: parts.join(' ') }
}

/**
 * What a refund takes back of an order's points: the share of the points that the refunded
 * total stands for, minus what earlier refunds already took, so the sum over all refunds
 * is the share of the total refunded (all of it for a full refund).
 */
export function refundedPoints(earned: number, orderAmount: number, refundedBefore: number, refundedAfter: number): number {
  if (earned <= 0 || orderAmount <= 0) return 0
  // Exact: earned × refunded can pass 2^53.
  const share = (refunded: number) => refunded >= orderAmount ? earned : Number((BigInt(earned) * BigInt(refunded)) / BigInt(orderAmount))
  return Math.max(0, share(refundedAfter) - share(refundedBefore))
}
