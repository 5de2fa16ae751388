import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { selectPage, countWhere } from '../../db/list-queries.js'
import { loyaltySettings, pointsEntries, pointsRedemptions } from '../../db/schema/points.js'
import { orders } from '../../db/schema/orders.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { available, nextExpiry, type Lot } from '../../rules/points-lots.js'
import { isTimeZone } from '../../config.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { expireDue } from './points.expiry.js'
import { creditLot, debitLots } from './points.ledger.js'
import { customerScope, resolveHolder, type HolderInput } from './points.holders.js'
import { insufficient, redeemInAction, reverseRedemption } from './points.redemptions.js'
import { pointsRepository as repo, type AccountRow, type Holder } from './points.repository.js'
import { LedgerFilter, PointsAdjust, RedemptionCreate, RedemptionReverse, SettingsUpdate } from './points.schemas.js'
import { loadSettings, type LoyaltySettings } from './points.settings.js'
import { accountView, entryView, redemptionView, type PointsAccountView, type PointsEntryView, type PointsRedemptionView } from './points.views.js'

/** What a holder has: spendable now, and what expires next. */
export type PointsBalance = {
  accountId: string | null
  holder: Holder
  /** Spendable now: lots not past their expiry. */
  balance: number
  /** The ledger's sum: `balance` plus lots past expiry that the expiry job has not yet written off. */
  bookedBalance: number
  expiringSoon: { amount: number; at: string } | null
}

export type Redemption = { redemption: PointsRedemptionView; account: PointsAccountView }

/** 积分: accounts, the ledger, redemptions and adjustments (docs/loyalty.md). */
export class PointsService {
  constructor(private readonly deps: ServiceDeps) {}

  private now(): Date {
    return new Date()
  }

  /** The balances of customers (Customer.points) the actor may see, in one statement over their open lots. */
  async balancesOfCustomers(actor: Actor, customerIds: readonly string[]): Promise<(PointsBalance | null)[]> {
    const scope = customerScope(actor, 'read')
    return this.balances(customerIds.map((id) => ({ customerId: id })), scope ? sql`a.customer_id in (select id from customers where ${scope})` : undefined)
  }

  /** Referrer.points: a referrer token reads only its own. */
  async balancesOfReferrers(actor: Actor, referrerIds: readonly string[]): Promise<(PointsBalance | null)[]> {
    const reach = authorize(actor, 'loyalty', 'read')
    const ids = reach === 'self' ? referrerIds.filter((id) => id === actor.referrerId) : referrerIds
    return this.balances(referrerIds.map((id) => ({ referrerId: id })), ids.length === referrerIds.length ? undefined : sql`a.referrer_id in ${ids.length ? ids : ['00000000-0000-0000-0000-000000000000']}`)
  }

  private async balances(holders: Holder[], scope: SQL | undefined): Promise<(PointsBalance | null)[]> {
    const ids = holders.map((h) => 'customerId' in h ? h.customerId : h.referrerId).filter(isUuid)
    if (ids.length === 0) return holders.map(() => null)
    const column = 'customerId' in holders[0] ? sql`a.customer_id` : sql`a.referrer_id`
    const found = await this.deps.db.execute(sql`
      select a.id, ${column} as holder, a.balance, l.id as lot, l.remaining, l.earned_at, l.expires_at
      from points_accounts a left join points_lots l on l.account_id = a.id and l.remaining > 0
      where ${column} in ${ids} ${scope ? sql`and ${scope}` : sql``}`) as unknown as { rows: Record<string, unknown>[] }
    const byHolder = new Map<string, { id: string; balance: number; lots: Lot[] }>()
    for (const r of found.rows) {
      const key = String(r.holder)
      const acc = byHolder.get(key) ?? { id: String(r.id), balance: Number(r.balance), lots: [] }
      if (r.lot) acc.lots.push({ id: String(r.lot), remaining: Number(r.remaining), earnedAt: new Date(String(r.earned_at)), expiresAt: r.expires_at ? new Date(String(r.expires_at)) : null })
      byHolder.set(key, acc)
    }
    const now = this.now()
    return holders.map((h) => {
      const key = 'customerId' in h ? h.customerId : h.referrerId
      const acc = byHolder.get(key)
      if (!acc && scope) return null
      const next = acc ? nextExpiry(acc.lots, now) : null
      return {
        accountId: acc?.id ?? null, holder: h, balance: acc ? available(acc.lots, now) : 0, bookedBalance: acc?.balance ?? 0,
        expiringSoon: next ? { amount: next.amount, at: next.at.toISOString() } : null
      }
    })
  }

  /** One holder's balance (REST `GET /points/accounts`). */
  async balance(actor: Actor, input: HolderInput): Promise<PointsBalance> {
    const holder = await resolveHolder(this.deps.db, actor, input, 'read')
    const [b] = await this.balances([holder], undefined)
    return b!
  }

  /** A keyset page of a holder's ledger, newest first. */
  async ledger(actor: Actor, input: HolderInput, filter: unknown, page: PageRequest) {
    const holder = await resolveHolder(this.deps.db, actor, input, 'read')
    const f = parse(LedgerFilter, filter ?? {})
    const account = await repo.account(this.deps.db, holder)
    const keyset = new Keyset('createdAt', pointsEntries.createdAt, pointsEntries.id, 'DESC', page)
    const where = [eq(pointsEntries.accountId, account?.id ?? '00000000-0000-0000-0000-000000000000'), f.kind ? eq(pointsEntries.kind, f.kind) : undefined]
    const result = keyset.page(await selectPage(this.deps.db, pointsEntries, getTableColumns(pointsEntries), where, keyset))
    return { ...result, rows: result.rows.map(entryView), count: () => countWhere(this.deps.db, pointsEntries, where) }
  }

  /** 积分抵扣 by an ERP, POS or mall (docs/loyalty.md, "Redeeming"). */
  async redeem(actor: Actor, input: unknown): Promise<Redemption> {
    const data = parse(RedemptionCreate, input)
    if (!data.orderId && !data.orderExternalId && !data.itemCode) {
      throw invalid('orderExternalId', 'say what the points pay for: orderId, orderExternalId or itemCode', 'REQUIRED')
    }
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const holder = await resolveHolder(action.tx, actor, data, 'write')
      if (data.orderId) await this.assertOrderOf(action.tx, holder, data.orderId)
      // An ERP order id the CRM already has links the redemption to that order (redeemInAction looks it up).
      const { redemption, account } = await redeemInAction(action, {
        holder, amount: data.amount, externalId: data.externalId ?? null, orderId: data.orderId ?? null,
        orderExternalId: data.orderExternalId ?? null, itemCode: data.itemCode ?? null,
        value: data.value ? { amount: data.value.amount, currency: data.value.currency ?? 'CNY' } : null, note: data.note ?? null
      }, now)
      return { redemption: redemptionView(redemption), account: accountView(account) }
    })
  }

  private async assertOrderOf(ex: Parameters<typeof repo.account>[0], holder: Holder, orderId: string): Promise<void> {
    const [row] = await ex.select({ customerId: orders.customerId }).from(orders).where(eq(orders.id, orderId))
    if (!row || !('customerId' in holder) || row.customerId !== holder.customerId) {
      throw invalid('orderId', "is not one of the customer's orders", 'UNKNOWN_ORDER')
    }
  }

  async redemption(actor: Actor, id: string): Promise<PointsRedemptionView> {
    const row = isUuid(id) ? await repo.redemption(this.deps.db, id) : undefined
    if (!row) throw notFound('PointsRedemption', id)
    await resolveHolder(this.deps.db, actor, row.customerId ? { customerId: row.customerId } : { referrerId: row.referrerId! }, 'read')
      .catch(() => { throw notFound('PointsRedemption', id) })
    return redemptionView(row)
  }

  /** Gives back a redemption's points (a cancelled sale not recorded as an order refund). */
  async reverseRedemption(actor: Actor, id: string, input: unknown): Promise<PointsRedemptionView> {
    const data = parse(RedemptionReverse, input ?? {})
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [row] = isUuid(id) ? await action.tx.select().from(pointsRedemptions).where(eq(pointsRedemptions.id, id)).for('update') : []
      if (!row) throw notFound('PointsRedemption', id)
      await resolveHolder(action.tx, actor, row.customerId ? { customerId: row.customerId } : { referrerId: row.referrerId! }, 'write')
        .catch(() => { throw notFound('PointsRedemption', id) })
      const left = row.amount - row.reversedAmount
      if (left === 0) throw new CrmError('CRM_ERR_INVALID_TRANSITION', 'status: the redemption is already fully reversed', [{ field: 'amount', code: 'ALREADY_REVERSED', message: 'nothing of this redemption is left to give back' }])
      if (data.amount !== undefined && data.amount > left) throw invalid('amount', `is more than the ${left} points not yet given back`, 'OUT_OF_RANGE')
      const result = await reverseRedemption(action, row, data.amount ?? left, `manual:${uuidv7()}`, data.reason ?? null, now)
      return redemptionView(result.redemption)
    })
  }

  /** A manual correction with a reason: positive credits a new lot, negative takes first-expiring-first and never overdraws. */
  async adjust(actor: Actor, input: unknown): Promise<{ entry: PointsEntryView; account: PointsAccountView }> {
    const data = parse(PointsAdjust, input)
    if (data.amount === 0) throw invalid('amount', 'must not be 0: positive credits, negative takes', 'OUT_OF_RANGE')
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const holder = await resolveHolder(action.tx, actor, data, 'write')
      const account: AccountRow | undefined = await repo.lock(action.tx, holder, data.amount > 0, now)
      const source = { sourceType: 'manual', sourceId: null, reason: data.reason }
      if (data.amount > 0) {
        const entry = (await creditLot(action, account!, 'adjust', data.amount, source, now, now))!
        return { entry: entryView(entry), account: accountView(account!) }
      }
      const debit = account ? await debitLots(action, account, 'adjust', -data.amount, source, now, { partial: false }) : null
      if (!debit) throw insufficient(account ? await this.availableIn(action.tx, account.id, now) : 0, -data.amount)
      return { entry: entryView(debit.entry), account: accountView(account!) }
    })
  }

  private async availableIn(ex: Parameters<typeof repo.openLots>[0], accountId: string, now: Date): Promise<number> {
    return available(await repo.openLots(ex, accountId), now)
  }

  /** The expiry job's pass (src/jobs/points-expiry.job.ts). */
  expireDue(now: Date): Promise<{ accounts: number; points: number }> {
    return expireDue(this.deps.db, now)
  }

  async settings(actor: Actor): Promise<LoyaltySettings> {
    authorize(actor, 'loyaltyConfig', 'read')
    return loadSettings(this.deps.db)
  }

  /** The expiry policy: applies to lots earned after the change. */
  async updateSettings(actor: Actor, input: unknown): Promise<LoyaltySettings> {
    const data = parse(SettingsUpdate, input)
    authorize(actor, 'loyaltyConfig', 'write')
    if (data.timeZone !== undefined && !isTimeZone(data.timeZone)) throw invalid('timeZone', 'is not an IANA time zone such as Asia/Shanghai', 'INVALID_TIME_ZONE')
    const now = this.now()
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const [before] = await action.tx.select().from(loyaltySettings).where(eq(loyaltySettings.id, 1)).for('update')
      if (!before) throw notFound('LoyaltySettings')
      if (data.expectedVersion !== undefined && data.expectedVersion !== before.version) throw staleVersion('LoyaltySettings', data.expectedVersion, before.version)
      const next = {
        expiryMonths: data.expiryMonths ?? before.expiryMonths, expiryRounding: data.expiryRounding ?? before.expiryRounding,
        timeZone: data.timeZone ?? before.timeZone
      }
      const changes = Object.fromEntries(Object.entries(next).filter(([k, v]) => before[k as keyof typeof next] !== v)
        .map(([k, v]) => [k, { from: before[k as keyof typeof next], to: v }]))
      if (Object.keys(changes).length > 0) {
        await action.tx.update(loyaltySettings).set({ ...next, version: before.version + 1, updatedAt: now }).where(eq(loyaltySettings.id, 1))
        action.audit({ action: 'loyalty.settings_updated', entityType: 'loyalty_settings', entityId: null, changes })
      }
      return loadSettings(action.tx)
    })
  }
}
