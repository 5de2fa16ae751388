import { randomBytes } from 'node:crypto'
import type { TestApp } from '../../helper.js'

/** What the points suites select and call; shared so each file reads like the contract. */
export const ENTRY = 'id accountId kind amount balanceAfter sourceType sourceId reason orderId campaignId expiresAt lots { lot amount } shortfall createdAt'
export const REDEMPTION = 'id externalId accountId customerId referrerId amount reversedAmount status orderId orderExternalId itemCode value { amount currency } note version'
export const REDEEM = `mutation($i: RedeemPointsInput!) { redeemPoints(input: $i) { redemption { ${REDEMPTION} } account { id balance } userErrors { field message code } } }`
export const ADJUST = `mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { entry { ${ENTRY} } account { id balance } userErrors { field message code } } }`
export const POINTS = `query($id: ID!) { customer(id: $id) { id points { accountId balance bookedBalance expiringSoon { amount at } } } }`
export const LEDGER = `query($c: ID, $r: ID, $first: Int, $after: String, $f: PointsLedgerFilter) { pointsLedger(customerId: $c, referrerId: $r, first: $first, after: $after, filter: $f) {
  edges { cursor node { ${ENTRY} } } pageInfo { hasNextPage endCursor } totalCount } }`
export const RECORD = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id externalId amount { amount } campaignId } created userErrors { field message code } } }'
export const REFUND = 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id status refundedAmount { amount } } userErrors { field message code } } }'
export const RULE = 'id externalId name kind active campaignId currency points unitAmount multiplierBp minOrderAmount validFrom validUntil priority version'
export const CREATE_RULE = `mutation($i: CreatePointsEarningRuleInput!) { createPointsEarningRule(input: $i) { rule { ${RULE} } userErrors { field message code } } }`
export const UPDATE_RULE = `mutation($id: ID!, $i: UpdatePointsEarningRuleInput!) { updatePointsEarningRule(id: $id, input: $i) { rule { ${RULE} } userErrors { field message code } } }`

export type Entry = { id: string; kind: string; amount: number; balanceAfter: number; sourceType: string; sourceId: string | null; lots: { lot: string; amount: number }[]; shortfall: number; expiresAt: string | null }
export type Balance = { accountId: string | null; balance: number; bookedBalance: number; expiringSoon: { amount: number; at: string } | null }

export const newId = (prefix = 'ERP') => `${prefix}-${randomBytes(6).toString('hex')}`

export async function createCustomer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; externalId: string | null; ownerId: string | null }> {
  const res = await ctx.rest(token, 'POST', '/api/v1/customers', { name: `会员 ${randomBytes(3).toString('hex')}`, ...input })
  if (res.statusCode !== 201) throw new Error(`createCustomer failed: ${res.body}`)
  return res.json()
}

export async function adjust(ctx: TestApp, customerId: string, amount: number, token = ctx.adminToken): Promise<Entry> {
  const r = await ctx.gql(token, ADJUST, { i: { customerId, amount, reason: 'test credit' } })
  if (!r.data?.adjustPoints?.entry) throw new Error(`adjustPoints failed: ${JSON.stringify(r)}`)
  return r.data.adjustPoints.entry
}

export async function balanceOf(ctx: TestApp, customerId: string): Promise<Balance> {
  const r = await ctx.gql(ctx.adminToken, POINTS, { id: customerId })
  if (!r.data?.customer) throw new Error(`customer failed: ${JSON.stringify(r)}`)
  return r.data.customer.points
}

export async function recordOrder(ctx: TestApp, customerId: string, amount: number, extra: Record<string, unknown> = {}): Promise<{ id: string; externalId: string }> {
  const r = await ctx.gql(ctx.adminToken, RECORD, { i: { customerId, amount: { amount, currency: 'CNY' }, externalId: newId(), ...extra } })
  if (!r.data?.recordOrder?.order) throw new Error(`recordOrder failed: ${JSON.stringify(r)}`)
  return r.data.recordOrder.order
}

/** The ledger's invariants for one account: the balance is the ledger's sum and the lots' remainders, and never below zero. */
export async function ledgerHolds(ctx: TestApp, accountId: string): Promise<{ balance: number; ledger: number; lots: number }> {
  const [row] = await ctx.sql<{ balance: string; ledger: string; lots: string }>(`select a.balance,
    (select coalesce(sum(amount), 0) from points_entries e where e.account_id = a.id) as ledger,
    (select coalesce(sum(remaining), 0) from points_lots l where l.account_id = a.id) as lots
    from points_accounts a where a.id = $1`, [accountId])
  return { balance: Number(row.balance), ledger: Number(row.ledger), lots: Number(row.lots) }
}
