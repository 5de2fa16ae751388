import { and, eq, getTableColumns, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm'
import { runAction, type Action, type ActionContext } from '../../db/action.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { consentRecords } from '../../db/schema/consents.js'
import { customers } from '../../db/schema/customers.js'
import { messages } from '../../db/schema/messages.js'
import { referrers } from '../../db/schema/referrers.js'
import { invalid, notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { consentChannelOf, latestConsents, latestReferrerConsents } from './consent-state.js'
import { ConsentFilter, ConsentRecordInput, ConsentWithdrawInput } from './consents.schemas.js'
import { consentView, stateView, type ConsentRow, type ConsentView } from './consents.views.js'
import { messageOfToken } from './unsubscribe-token.js'

type Given = ConsentRecordInput & { granted: boolean }
const FUTURE_SLACK_MS = 5 * 60_000
const channelKindsOf: Record<string, string[]> = { any: ['sms', 'email', 'wecom_robot', 'dingtalk_robot'], sms: ['sms'], email: ['email'], wecom: ['wecom_robot'], dingtalk: ['dingtalk_robot'], phone: [] }

/**
 * 同意记录 (PIPL, docs/consents.md): grants and withdrawals per subject, purpose and channel,
 * never changed once written. Reach follows the subject: whoever may read (write) the customer
 * or referrer may read (record) its consents.
 */
export class ConsentsService {
  constructor(private readonly deps: ServiceDeps) {}

  /** recordConsent / POST /consents: a grant (or, granted: false, a refusal). */
  record(actor: Actor, input: unknown, now = new Date()): Promise<ConsentView> {
    const data = parse(ConsentRecordInput, input)
    return this.write(actor, { ...data, granted: data.granted ?? true }, now)
  }

  /** withdrawConsent / POST /consents/withdrawals: the purpose is withdrawn on the channel (any: everywhere); pending messages it covers are blocked. */
  withdraw(actor: Actor, input: unknown, now = new Date()): Promise<ConsentView> {
    const data = parse(ConsentWithdrawInput, input)
    return this.write(actor, { ...data, source: data.source ?? 'staff', granted: false }, now)
  }

  private async write(actor: Actor, data: Given, now: Date): Promise<ConsentView> {
    if ((data.customerId ? 1 : 0) + (data.referrerId ? 1 : 0) !== 1) throw invalid('customerId', 'name exactly one subject: customerId or referrerId', 'SUBJECT')
    if (data.source === 'import' && !data.proof) throw invalid('proof', 'is required for an import: where the signed form or file is kept', 'REQUIRED')
    if (data.source === 'staff' && !data.note) throw invalid('note', 'is required when staff record on behalf of the person: who said what, and how', 'REQUIRED')
    const occurredAt = data.occurredAt ? new Date(data.occurredAt) : now
    if (occurredAt.getTime() > now.getTime() + FUTURE_SLACK_MS) throw invalid('occurredAt', 'cannot be in the future', 'IN_FUTURE')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      await this.assertSubject(action, actor, data)
      const ctx = actionContext(actor)
      const [row] = await action.tx.insert(consentRecords).values({
        customerId: data.customerId?.toLowerCase() ?? null, referrerId: data.referrerId?.toLowerCase() ?? null, purpose: data.purpose,
        channel: data.channel ?? 'any', granted: data.granted, textVersion: data.textVersion ?? null, source: data.source,
        proof: data.proof ?? null, note: data.note ?? null, occurredAt, actorType: ctx.actorType, actorId: ctx.actorId
      }).returning()
      await this.announce(action, row, now)
      return consentView(row)
    })
  }

  private async assertSubject(action: Action, actor: Actor, data: Given): Promise<void> {
    if (data.customerId) {
      const scope = reachFilter(actor, authorize(actor, 'customers', 'write'), { owner: customers.ownerId })
      const [c] = await action.tx.select({ id: customers.id }).from(customers)
        .where(and(eq(customers.id, data.customerId), isNull(customers.deletedAt), isNull(customers.mergedIntoId), scope))
      if (!c) throw notFound('Customer', data.customerId)
    } else {
      const scope = reachFilter(actor, authorize(actor, 'referrers', 'write'), { owner: referrers.ownerId })
      const [r] = await action.tx.select({ id: referrers.id }).from(referrers).where(and(eq(referrers.id, data.referrerId!), isNull(referrers.deletedAt), scope))
      if (!r) throw notFound('Referrer', data.referrerId!)
    }
  }

  /** Audit, event, and a withdrawal's effect on messages not yet sent. */
  private async announce(action: Action, row: ConsentRow, now: Date): Promise<void> {
    const view = consentView(row)
    action.audit({ action: row.granted ? 'consent.granted' : 'consent.withdrawn', entityType: 'consent', entityId: row.id, changes: view })
    action.emit({ type: row.granted ? 'consent.granted' : 'consent.withdrawn', entityType: 'consent', entityId: row.id, data: { consent: view } })
    if (row.granted || !row.customerId || (row.purpose !== 'marketing' && row.purpose !== 'service')) return
    await action.tx.update(messages).set({ status: 'blocked', reason: 'consent_withdrawn', nextAttemptAt: null, updatedAt: now })
      .where(and(eq(messages.customerId, row.customerId), eq(messages.purpose, row.purpose), inArray(messages.status, ['queued', 'held']),
        inArray(messages.channelKind, channelKindsOf[row.channel] as ('sms' | 'email')[])))
  }

  /** The unsubscribe link of a message: withdraws marketing on its channel, once however often it is followed. */
  async unsubscribe(token: string, meta: { requestId: string | null }, now = new Date()): Promise<{ purpose: string; channel: string }> {
    const messageId = messageOfToken(this.deps.pii, token)
    const [message] = messageId ? await this.deps.db.select({ customerId: messages.customerId, channelKind: messages.channelKind }).from(messages).where(eq(messages.id, messageId)) : []
    if (!message?.customerId) throw notFound('Unsubscribe link')
    const channel = consentChannelOf(message.channelKind) as ConsentRow['channel']
    const ctx: ActionContext = { actorType: 'public', actorId: null, actorRole: null, apiKeyId: null, requestId: meta.requestId }
    await runAction(this.deps.db, ctx, async (action) => {
      const [row] = await action.tx.insert(consentRecords).values({
        customerId: message.customerId, purpose: 'marketing', channel, granted: false, source: 'unsubscribe', occurredAt: now, actorType: 'public', messageId
      }).onConflictDoNothing({ target: consentRecords.messageId, where: sql`${consentRecords.source} = 'unsubscribe'` }).returning()
      if (row) await this.announce(action, row, now)
    })
    return { purpose: 'marketing', channel }
  }

  /** consents / GET /consents: the history, newest first, of the subjects the actor may read. */
  async list(actor: Actor, filter: unknown, page: PageRequest) {
    const f = parse(ConsentFilter, filter ?? {})
    const t = consentRecords
    const where: (SQL | undefined)[] = [
      this.readable(actor), f.customerId ? eq(t.customerId, f.customerId) : undefined, f.referrerId ? eq(t.referrerId, f.referrerId) : undefined,
      f.purpose ? eq(t.purpose, f.purpose) : undefined, f.channel ? eq(t.channel, f.channel) : undefined,
      f.granted !== undefined ? eq(t.granted, f.granted) : undefined, f.source ? eq(t.source, f.source) : undefined
    ]
    const keyset = new Keyset('recordedAt', t.recordedAt, t.id, 'DESC', page)
    const result = keyset.page(await selectPage(this.deps.db, t, getTableColumns(t), where, keyset))
    return { ...result, rows: result.rows.map((r) => consentView(r as ConsentRow)), count: () => countWhere(this.deps.db, t, where) }
  }

  /** Records whose subject the actor may read. */
  private readable(actor: Actor): SQL | undefined {
    const c = reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: sql`c.owner_id` })
    const readsReferrers = (() => { try { return authorize(actor, 'referrers', 'read') } catch { return 'none' as const } })()
    const r = reachFilter(actor, readsReferrers, { owner: sql`r.owner_id`, self: sql`r.id` })
    return or(
      and(isNotNull(consentRecords.customerId), c ? sql`${consentRecords.customerId} in (select c.id from customers c where ${c})` : undefined),
      and(isNotNull(consentRecords.referrerId), r ? sql`${consentRecords.referrerId} in (select r.id from referrers r where ${r})` : undefined)
    )
  }

  /** Customer.consents: the current state per purpose and channel (loaders; the customer is already visible). */
  async currentOf(actor: Actor, customerIds: readonly string[]) {
    authorize(actor, 'customers', 'read')
    const latest = await latestConsents(this.deps.db, customerIds)
    return customerIds.map((id) => latest.filter((r) => r.customerId === id).map(stateView))
  }

  /** Referrer.consents / GET /referrers/{id}/consents: the same current state for referrers (the referrer is already visible). */
  async currentOfReferrers(actor: Actor, referrerIds: readonly string[]) {
    authorize(actor, 'referrers', 'read')
    const latest = await latestReferrerConsents(this.deps.db, referrerIds)
    return referrerIds.map((id) => latest.filter((r) => r.referrerId === id.toLowerCase()).map(stateView))
  }
}
