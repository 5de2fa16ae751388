import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { displayCouponCode } from '../../rules/coupon-code.js'
import { contextKeyOf } from '../../rules/message-template.js'
import { formatLocalDate, localDateOf } from '../../rules/report-period.js'

/**
 * The values of a batch's template variables (src/rules/message-template.ts), loaded set-based:
 * one statement per kind of record named in the requests' contexts, whatever the batch size.
 * A context record counts only when it belongs to the message's customer. Contact fields are
 * only ever the masked forms, so no recipient reads a clear phone or email through a template.
 */
export type GateCustomer = {
  id: string; name: string; company: string | null; title: string | null; region: string | null; tier: string | null
  lifecycleStage: string; phoneMasked: string | null; emailMasked: string | null; hasPhone: boolean; hasEmail: boolean
  ownerName: string | null; ownerEmail: string | null; timeZone: string | null
}

const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`
const idsOf = (ids: Iterable<string>) => json([...new Set(ids)])

/** Live customers (not deleted, not merged away) with their owner. */
export async function loadCustomers(ex: Executor, ids: Iterable<string>): Promise<Map<string, GateCustomer>> {
  const found = await rows<GateCustomer>(ex, sql`
    select c.id, c.name, c.company, c.title, c.region, c.tier, c.lifecycle_stage as "lifecycleStage",
      c.phone_masked as "phoneMasked", c.email_masked as "emailMasked", c.phone_enc is not null as "hasPhone", c.email_enc is not null as "hasEmail",
      u.name as "ownerName", u.email as "ownerEmail", c.attributes->>'timeZone' as "timeZone"
    from customers c left join users u on u.id = c.owner_id
    where c.id in (select value::uuid from jsonb_array_elements_text(${idsOf(ids)})) and c.deleted_at is null and c.merged_into_id is null`)
  return new Map(found.map((c) => [c.id, c]))
}

const money = (amount: number, currency: string) => {
  const text = (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  return currency === 'CNY' ? `¥${text}` : `${currency} ${text}`
}

/** The statement loading one kind of context record, and how its row becomes variable values. */
const loaders: Record<string, { query: (ids: ReturnType<typeof idsOf>) => ReturnType<typeof sql>; values: (r: Record<string, unknown>, tz: string) => Record<string, string> }> = {
  leadId: {
    query: (ids) => sql`select id, customer_id as "customerId", name, status, source from leads where id in (select value::uuid from jsonb_array_elements_text(${ids})) and deleted_at is null`,
    values: (r) => ({ 'lead.name': String(r.name ?? ''), 'lead.status': String(r.status), 'lead.source': String(r.source ?? '') })
  },
  referralId: {
    query: (ids) => sql`select r.id, r.customer_id as "customerId", r.status, f.name as "referrerName" from referrals r join referrers f on f.id = r.referrer_id
      where r.id in (select value::uuid from jsonb_array_elements_text(${ids})) and r.deleted_at is null`,
    values: (r) => ({ 'referral.status': String(r.status), 'referral.referrerName': String(r.referrerName ?? '') })
  },
  orderId: {
    query: (ids) => sql`select id, customer_id as "customerId", external_id as "externalId", amount, currency, paid_at as "paidAt" from orders where id in (select value::uuid from jsonb_array_elements_text(${ids}))`,
    values: (r, tz) => ({
      'order.externalId': String(r.externalId ?? ''), 'order.amount': money(Number(r.amount), String(r.currency)),
      'order.paidAt': formatLocalDate(localDateOf(new Date(r.paidAt as string), tz))
    })
  },
  ticketId: {
    query: (ids) => sql`select id, customer_id as "customerId", subject, status, category from tickets where id in (select value::uuid from jsonb_array_elements_text(${ids}))`,
    values: (r) => ({ 'ticket.subject': String(r.subject), 'ticket.status': String(r.status), 'ticket.category': String(r.category) })
  },
  couponId: {
    query: (ids) => sql`select c.id, c.customer_id as "customerId", c.code, c.valid_until as "validUntil", t.name from coupons c join coupon_templates t on t.id = c.template_id
      where c.id in (select value::uuid from jsonb_array_elements_text(${ids}))`,
    values: (r, tz) => ({
      'coupon.code': displayCouponCode(String(r.code)), 'coupon.name': String(r.name),
      'coupon.validUntil': r.validUntil ? formatLocalDate(localDateOf(new Date(r.validUntil as string), tz)) : ''
    })
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type VariableRequest = { customerId: string; context: Record<string, string>; variables: readonly string[]; timeZone: string }
/** Per request: the values, or the context key that is missing (absent, unknown, or another customer's record). */
export type Resolved = { values: Record<string, string> } | { missing: string }

/** The variable values of each request (customer ones from `customers`, the rest loaded here). */
export async function resolveVariables(ex: Executor, requests: readonly VariableRequest[], customers: ReadonlyMap<string, GateCustomer>): Promise<Resolved[]> {
  const wanted = new Map<string, Set<string>>()
  for (const r of requests) {
    for (const v of r.variables) {
      const key = contextKeyOf(v)
      const id = key ? r.context[key] : undefined
      if (key && id && UUID.test(id)) wanted.set(key, (wanted.get(key) ?? new Set()).add(id.toLowerCase()))
    }
  }
  const loaded = new Map<string, Map<string, Record<string, unknown>>>()
  for (const [key, ids] of wanted) {
    const found = await rows<Record<string, unknown>>(ex, loaders[key].query(idsOf(ids)))
    loaded.set(key, new Map(found.map((r) => [String(r.id), r])))
  }
  return requests.map((r) => {
    const c = customers.get(r.customerId)
    const values: Record<string, string> = c ? customerValues(c) : {}
    for (const v of r.variables) {
      const key = contextKeyOf(v)
      if (!key) continue
      const row = loaded.get(key)?.get(String(r.context[key] ?? '').toLowerCase())
      if (!row || row.customerId !== r.customerId) return { missing: key }
      Object.assign(values, loaders[key].values(row, r.timeZone))
    }
    return { values }
  })
}

function customerValues(c: GateCustomer): Record<string, string> {
  return {
    'customer.name': c.name, 'customer.company': c.company ?? '', 'customer.title': c.title ?? '', 'customer.region': c.region ?? '',
    'customer.tier': c.tier ?? '', 'customer.lifecycleStage': c.lifecycleStage, 'customer.phone': c.phoneMasked ?? '',
    'customer.email': c.emailMasked ?? '', 'owner.name': c.ownerName ?? '', 'owner.email': c.ownerEmail ?? ''
  }
}

