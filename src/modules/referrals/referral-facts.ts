import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { referrers } from '../../db/schema/referrers.js'
import { rowShape, statement } from '../../db/statement.js'
import { claimKeys, type CheckFacts, type ContactKind, type ContactValues } from '../../rules/referral-checks.js'
import { REFERRAL_SOURCE } from '../leads/leads.intake.js'
import type { ReferrerRow } from '../referrers/referrers.repository.js'
import type { IndexesOf } from '../common/duplicates.js'
import { decodeRoutingFacts, routingFactsColumns, type RoutingFacts } from '../routing/routing.facts.js'

/**
 * Everything a submission reads, in ONE statement of fixed text (every submission runs it;
 * docs/performance.md): the live referrer with the id, the facts the duplicate and fraud
 * checks need (src/rules/referral-checks.ts), and what routing reads to place the lead if
 * the submission is accepted. Contacts are blind indexes: the checks compare them, never
 * the clear values.
 */
export type IntakeFacts = {
  referrerId: string
  referrer: ReferrerRow | undefined
  checks: Pick<CheckFacts, 'customers' | 'claims' | 'recent'>
  /** For a lead of this referrer with source `referral`. */
  routing: RoutingFacts
}

const HOUR = 3_600_000

type CustomerFact = { id: string; phone: string | null; email: string | null }
type ClaimFact = { contactKey: string; referralId: string; referrerId: string; claimedAt: string; expiresAt: string; status: string }
type Values = Record<string, string>

const referrerRow = rowShape(referrers)

const list = (prefix: string, n: number) => sql.join(Array.from({ length: n }, (_, i) => sql.placeholder(`${prefix}${i}`)), sql`, `)

// ONE json value, not a row of columns: the driver then describes and decodes one field
// rather than thirty-odd on every submission. `n`: how many PII keys are configured (one but
// during a key rotation): each contact is looked up by its index under every key, as separate
// parameters (see intakeFacts), so each arity is its own statement of fixed text.
const factsStatementOf = (n: number) => statement<Values, Omit<IntakeFacts, 'referrerId'>>(n === 1 ? 'referral_intake_facts' : `referral_intake_facts_k${n}`, () => sql`
  select json_build_array(
    case when ${referrers.id} is null then null else ${referrerRow.json} end,
    (select coalesce(json_agg(json_build_object('id', c.id, 'phone', c.phone_idx, 'email', c.email_idx)), '[]')
       from customers c
      where (c.phone_idx in (${list('phone', n)}) or c.email_idx in (${list('email', n)})) and c.deleted_at is null),
    (select coalesce(json_agg(json_build_object('contactKey', k.contact_key, 'referralId', k.referral_id, 'referrerId', k.referrer_id,
              'claimedAt', k.claimed_at, 'expiresAt', k.expires_at, 'status', r.status)), '[]')
       from referral_claims k join referrals r on r.id = k.referral_id
      where k.contact_key in (${list('key', 2 * n)})),
    v.last_hour, v.last_day,
    ${routingFactsColumns(sql.placeholder('referrerId'), sql.placeholder('source'))})
  from (select count(*) filter (where created_at >= ${sql.placeholder('hourAgo')}::timestamptz)::int as last_hour, count(*)::int as last_day
          from referrals
         where referrer_id = ${sql.placeholder('referrerId')}::uuid
           and (referrer_id, created_at) >= (${sql.placeholder('referrerId')}::uuid, ${sql.placeholder('dayAgo')}::timestamptz)
           and (referrer_id, created_at) <= (${sql.placeholder('referrerId')}::uuid, ${sql.placeholder('now')}::timestamptz)) v
  left join ${referrers} on ${referrers.id} = ${sql.placeholder('referrerId')}::uuid and ${referrers.deletedAt} is null`,
([json]) => decode(json as unknown[]))

const factsStatements = new Map<number, ReturnType<typeof factsStatementOf>>()

function decode(facts: unknown[]): Omit<IntakeFacts, 'referrerId'> {
  return {
    referrer: facts[0] === null ? undefined : referrerRow.map(facts[0] as unknown[]),
    checks: {
      customers: facts[1] as CustomerFact[],
      claims: (facts[2] as ClaimFact[]).map((r) => ({
        kind: r.contactKey.slice(0, r.contactKey.indexOf(':')) as ContactKind,
        referralId: r.referralId, referrerId: r.referrerId, claimedAt: new Date(r.claimedAt), expiresAt: new Date(r.expiresAt),
        released: r.status === 'rejected'
      })),
      recent: { lastHour: facts[3] as number, lastDay: facts[4] as number }
    },
    routing: decodeRoutingFacts(facts, 5)
  }
}

/**
 * The facts for a submission by `referrerId` of the person with `contact`: live customers
 * whose phone or email index equals the person's; claims on the person's phone and email,
 * with whether their referral was rejected (released); the referrer's submissions in the
 * hour and the day before `now` (velocity).
 */
export async function intakeFacts(ex: Executor, referrerId: string, contact: ContactValues, now: Date, indexesOf: IndexesOf = (i) => [i]): Promise<IntakeFacts> {
  // The statement is planned once per connection, maybe while the tables are still small, so
  // its shape leaves the planner no bad choice to keep: the day's window is a row comparison
  // on (referrer_id, created_at), which only the referrer's index can serve (a plain range on
  // created_at let it pick the created_at index and count every referral of the day). A
  // missing contact is '' (no blind index or claim key is empty), not NULL, and the keys are
  // separate parameters, not an array: with NULLs or an array, PostgreSQL's one-off plans look
  // so much cheaper than the generic one that it would plan this statement on every call.
  const phones = contact.phone ? indexesOf(contact.phone) : []
  const emails = contact.email ? indexesOf(contact.email) : []
  const n = Math.max(1, phones.length, emails.length)
  const values: Values = {
    referrerId, hourAgo: new Date(now.getTime() - HOUR).toISOString(), dayAgo: new Date(now.getTime() - 24 * HOUR).toISOString(), now: now.toISOString(),
    source: REFERRAL_SOURCE
  }
  for (let i = 0; i < n; i++) {
    const keys = claimKeys({ phone: phones[i] ?? null, email: emails[i] ?? null })
    values[`phone${i}`] = phones[i] ?? ''
    values[`email${i}`] = emails[i] ?? ''
    values[`key${2 * i}`] = keys[0] ?? ''
    values[`key${2 * i + 1}`] = keys[1] ?? ''
  }
  let run = factsStatements.get(n)
  if (!run) factsStatements.set(n, run = factsStatementOf(n))
  const [facts] = await run(ex, values)
  // A customer indexed under a previous key holds the same person: compare as the current index.
  const customers = facts.checks.customers.map((c) => ({
    ...c, phone: c.phone && phones.includes(c.phone) ? contact.phone : c.phone, email: c.email && emails.includes(c.email) ? contact.email : c.email
  }))
  return { ...facts, checks: { ...facts.checks, customers }, referrerId }
}

/** A stored index (the referrer's) as the current index of `current` when it is one of that value's indexes under any key. */
export function asCurrent(stored: string | null, current: string | null, indexesOf: IndexesOf): string | null {
  return stored && current && stored !== current && indexesOf(current).includes(stored) ? current : stored
}
