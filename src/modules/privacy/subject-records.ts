import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import type { PiiCipher } from '../../lib/pii.js'

/**
 * The records of one data subject (docs/privacy.md, "Access and portability"), as ids per
 * kind: what an export reads and what an erasure would touch. The person is found by the
 * keyed blind index of their phone or email (every customer, referrer, referral and lead
 * holding it, merged-away and soft-deleted ones included) or by a customer or referrer id
 * (and then also by that record's own phone and email); the customers and referrers that
 * are the same person follow by link (merges both ways, a referrer's customer). Everything
 * else is found by its link to those records. No transitive matching by contact beyond the
 * subject's own values: a wrong email on one record must not pull in another person.
 */
export const recordKinds = [
  'customers', 'referrers', 'referralsAsReferredPerson', 'referralsAsReferrer', 'leads', 'opportunities', 'activities', 'tasks',
  'orders', 'rewards', 'consents', 'tickets', 'ticketComments', 'surveyInvitations', 'surveyResponses', 'pointsAccounts',
  'pointsEntries', 'pointsRedemptions', 'coupons', 'couponRedemptions', 'memberLevelChanges', 'journeyEnrollments', 'messages',
  'customerMerges'
] as const
export type RecordKind = (typeof recordKinds)[number]
export type SubjectRecords = Record<RecordKind, string[]>

/** A subject as found: a normalised phone or email, or a record id (lower case). */
export type Subject = { phone: string } | { email: string } | { customerId: string } | { referrerId: string }

const MAX_LINK_ROUNDS = 10

const uuids = (list: Iterable<string>): SQL => sql`(select value::uuid from jsonb_array_elements_text(${JSON.stringify([...list])}::jsonb))`
const texts = (list: Iterable<string>): SQL => sql`(select value from jsonb_array_elements_text(${JSON.stringify([...list])}::jsonb))`

/** Every record of the subject, ids per kind (each list sorted; all empty for an unknown person). */
export async function findSubjectRecords(ex: Executor, pii: PiiCipher, subject: Subject): Promise<SubjectRecords> {
  const { phones, emails, customers, referrers } = await seeds(ex, pii, subject)
  await followPersonLinks(ex, customers, referrers)
  const C = uuids(customers)
  const R = uuids(referrers)
  const P = texts(phones)
  const E = texts(emails)
  const leadsIn = sql`(select id from leads_)`
  const oppsIn = sql`(select id from opps)`
  const [found] = await rows<Record<RecordKind, string[]>>(ex, sql`
    with
      ref_in0 as (${where('referrals', [sql`phone_idx in ${P}`, sql`email_idx in ${E}`, sql`customer_id in ${C}`])}),
      leads_ as (${where('leads', [sql`phone_idx in ${P}`, sql`email_idx in ${E}`, sql`customer_id in ${C}`, sql`referral_id in (select id from ref_in0)`])}),
      ref_in as (select id from ref_in0 union select id from referrals where lead_id in ${leadsIn}),
      opps as (${where('opportunities', [sql`customer_id in ${C}`, sql`lead_id in ${leadsIn}`])}),
      tickets_ as (select id from tickets where customer_id in ${C}),
      accounts as (${where('points_accounts', [sql`customer_id in ${C}`, sql`referrer_id in ${R}`])}),
      coupons_ as (${where('coupons', [sql`customer_id in ${C}`, sql`referrer_id in ${R}`])})
    select
      ${agg(sql`select id from customers where id in ${C}`)} as "customers",
      ${agg(sql`select id from referrers where id in ${R}`)} as "referrers",
      ${agg(sql`select id from ref_in`)} as "referralsAsReferredPerson",
      ${agg(sql`select id from referrals where referrer_id in ${R}`)} as "referralsAsReferrer",
      ${agg(sql`select id from leads_`)} as "leads",
      ${agg(sql`select id from opps`)} as "opportunities",
      ${agg(where('activities', [sql`customer_id in ${C}`, sql`referrer_id in ${R}`, sql`lead_id in ${leadsIn}`, sql`opportunity_id in ${oppsIn}`]))} as "activities",
      ${agg(where('tasks', [sql`customer_id in ${C}`, sql`referrer_id in ${R}`, sql`lead_id in ${leadsIn}`, sql`opportunity_id in ${oppsIn}`]))} as "tasks",
      ${agg(sql`select id from orders where customer_id in ${C}`)} as "orders",
      ${agg(where('rewards', [sql`beneficiary_id in ${R} and beneficiary_type = 'referrer'`, sql`beneficiary_id in ${C} and beneficiary_type = 'referred'`]))} as "rewards",
      ${agg(where('consent_records', [sql`customer_id in ${C}`, sql`referrer_id in ${R}`]))} as "consents",
      ${agg(sql`select id from tickets_`)} as "tickets",
      ${agg(sql`select id from ticket_comments where ticket_id in (select id from tickets_)`)} as "ticketComments",
      ${agg(sql`select id from survey_invitations where customer_id in ${C}`)} as "surveyInvitations",
      ${agg(sql`select id from survey_responses where customer_id in ${C}`)} as "surveyResponses",
      ${agg(sql`select id from accounts`)} as "pointsAccounts",
      ${agg(sql`select id from points_entries where account_id in (select id from accounts)`)} as "pointsEntries",
      ${agg(sql`select id from points_redemptions where account_id in (select id from accounts)`)} as "pointsRedemptions",
      ${agg(sql`select id from coupons_`)} as "coupons",
      ${agg(where('coupon_redemptions', [sql`coupon_id in (select id from coupons_)`, sql`customer_id in ${C}`]))} as "couponRedemptions",
      ${agg(sql`select id from customer_level_changes where customer_id in ${C}`)} as "memberLevelChanges",
      ${agg(sql`select id from journey_enrollments where customer_id in ${C}`)} as "journeyEnrollments",
      ${agg(sql`select id from messages where customer_id in ${C} and recipient_kind = 'customer'`)} as "messages",
      ${agg(where('customer_merges', [sql`survivor_id in ${C}`, sql`merged_id in ${C}`]))} as "customerMerges"`)
  return Object.fromEntries(recordKinds.map((k) => [k, (found?.[k] ?? []).map(String)])) as SubjectRecords
}

/**
 * The ids of a table's rows meeting any of the conditions, as a UNION of one select per
 * condition rather than one OR: each `col in (…)` then becomes a semi-join on that column's
 * index, where an OR of them would scan the whole table.
 */
const where = (table: string, conditions: SQL[]): SQL => sql.join(conditions.map((c) => sql`select id from ${sql.identifier(table)} where ${c}`), sql` union `)

/** The ids of a subquery as one sorted JSON array (UUIDv7: creation order). */
const agg = (query: SQL): SQL => sql`(select coalesce(jsonb_agg(x.id order by x.id), '[]'::jsonb) from (${query}) x)`

type Seeds = { phones: Set<string>; emails: Set<string>; customers: Set<string>; referrers: Set<string> }

/** The subject's contact keys and the customers and referrers that hold them. */
async function seeds(ex: Executor, pii: PiiCipher, subject: Subject): Promise<Seeds> {
  const out: Seeds = { phones: new Set(), emails: new Set(), customers: new Set(), referrers: new Set() }
  // Under every configured key: during a PII key rotation some rows still carry a previous key's index.
  if ('phone' in subject) for (const i of pii.indexes(subject.phone)) out.phones.add(i)
  else if ('email' in subject) for (const i of pii.indexes(subject.email)) out.emails.add(i)
  else {
    const table = 'customerId' in subject ? sql`customers` : sql`referrers`
    const id = 'customerId' in subject ? subject.customerId : subject.referrerId
    const own = await rows<{ phoneIdx: string | null; emailIdx: string | null; phoneEnc: string | null; emailEnc: string | null }>(ex, sql`
      select phone_idx as "phoneIdx", email_idx as "emailIdx", phone_enc as "phoneEnc", email_enc as "emailEnc" from ${table} where id = ${id}::uuid`)
    if (own.length === 0) return out
    ;('customerId' in subject ? out.customers : out.referrers).add(id)
    if (own[0].phoneIdx) out.phones.add(own[0].phoneIdx)
    if (own[0].emailIdx) out.emails.add(own[0].emailIdx)
    // The value under every configured key too, so twins indexed under another key during a rotation are found.
    if (pii.previousKeyIds.length > 0) {
      if (own[0].phoneEnc) for (const i of pii.indexes(pii.open(own[0].phoneEnc))) out.phones.add(i)
      if (own[0].emailEnc) for (const i of pii.indexes(pii.open(own[0].emailEnc))) out.emails.add(i)
    }
  }
  if (out.phones.size + out.emails.size === 0) return out
  const held = await rows<{ kind: 'customer' | 'referrer'; id: string }>(ex, sql`
    select 'customer' as kind, id from customers where phone_idx in ${texts(out.phones)} or email_idx in ${texts(out.emails)}
    union all
    select 'referrer' as kind, id from referrers where phone_idx in ${texts(out.phones)} or email_idx in ${texts(out.emails)}`)
  for (const r of held) (r.kind === 'customer' ? out.customers : out.referrers).add(String(r.id))
  return out
}

/** Adds, until nothing changes, the customers merged into or from these, and the referrers that are these customers (and back). */
async function followPersonLinks(ex: Executor, customers: Set<string>, referrers: Set<string>): Promise<void> {
  for (let round = 0; round < MAX_LINK_ROUNDS && customers.size + referrers.size > 0; round++) {
    const before = customers.size + referrers.size
    const linked = await rows<{ kind: 'customer' | 'referrer'; id: string }>(ex, sql`
      select 'customer' as kind, id from customers where merged_into_id in ${uuids(customers)}
      union select 'customer', merged_into_id from customers where id in ${uuids(customers)} and merged_into_id is not null
      union select 'customer', customer_id from referrers where id in ${uuids(referrers)} and customer_id is not null
      union select 'referrer', id from referrers where customer_id in ${uuids(customers)}`)
    for (const r of linked) (r.kind === 'customer' ? customers : referrers).add(String(r.id))
    if (customers.size + referrers.size === before) return
  }
}
