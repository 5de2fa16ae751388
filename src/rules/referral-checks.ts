/**
 * Duplicate and fraud checks for a new referral (推荐查重与反作弊). Pure: the caller loads
 * the facts (customers and claims matching the contact, the referrer's own contact, its
 * recent submission counts) and passes `now`; the same facts always give the same
 * decision, which explains every check it made.
 *
 * Checks, first match decides:
 *   1. invalid          neither a phone nor an email to identify the person by;
 *   2. self_referral    the person is the referrer (same phone or email), or is the
 *                       customer the referrer is linked to;
 *   3. already_customer the phone or email belongs to an existing customer;
 *   4. duplicate        another referral holds the person within the attribution window
 *                       (first referrer wins; a rejected referral's claim holds nothing);
 *   5. accept.
 * Velocity is a flag, not a rejection: the referrer's submission that goes past the hourly
 * or daily limit is kept but flagged for review (`velocity_hour`, `velocity_day`).
 */
import { normalizeEmail, normalizePhone } from './contact.js'

export type ContactKind = 'phone' | 'email'
export type RejectionReason = 'invalid' | 'self_referral' | 'already_customer' | 'duplicate'
export type ReferralFlag = 'velocity_hour' | 'velocity_day'

/** A person's contact as compared: normalised values or their blind indexes, never mixed. */
export type ContactValues = { phone: string | null; email: string | null }

export type Claim = {
  kind: ContactKind
  referralId: string
  referrerId: string
  claimedAt: Date
  expiresAt: Date
  /** A rejected referral's claim no longer holds the person. */
  released: boolean
}

export type CheckFacts = {
  contact: ContactValues
  referrer: { id: string; customerId: string | null } & ContactValues
  /** Live customers whose phone or email equals the person's. */
  customers: readonly ({ id: string } & ContactValues)[]
  /** Claims on the person's phone and email, live or not. */
  claims: readonly Claim[]
  /** The referrer's submissions before this one, in the last hour and the last 24 hours. */
  recent: { lastHour: number; lastDay: number }
  limits: { perHour: number; perDay: number }
  now: Date
}

export type Matched = { kind: 'referrer' | 'customer' | 'referral'; id: string }

export type Check = { check: RejectionReason | 'velocity'; passed: boolean; why: string }

export type CheckDecision =
  | { outcome: 'accept'; flags: ReferralFlag[]; checks: Check[] }
  | {
    outcome: 'reject'; reason: RejectionReason; detail: string
    /** The record it matched (for staff; never shown to referrers). */
    matched: Matched | null; flags: ReferralFlag[]; checks: Check[]
  }

/** Phone as the checks compare it (mainland mobiles to 11 digits), or null if unusable. */
export function phoneKey(input: string | null | undefined): string | null {
  if (input == null) return null
  const n = normalizePhone(input)
  return n.ok ? n.value : null
}

export function emailKey(input: string | null | undefined): string | null {
  if (input == null) return null
  const n = normalizeEmail(input)
  return n.ok ? n.value : null
}

/** The attribution claim keys of a contact (`phone:<value>`, `email:<value>`). */
export function claimKeys(contact: ContactValues): string[] {
  return [contact.phone ? `phone:${contact.phone}` : null, contact.email ? `email:${contact.email}` : null].filter((k): k is string => k !== null)
}

/** Does this claim still hold the person at `now`? Expiry is exclusive: at expiresAt it is free. */
export function claimHolds(claim: Claim, now: Date): boolean {
  return !claim.released && claim.expiresAt.getTime() > now.getTime()
}

/** Flags for the submission that would be the referrer's next one. */
export function velocityFlags(recent: CheckFacts['recent'], limits: CheckFacts['limits']): ReferralFlag[] {
  const flags: ReferralFlag[] = []
  if (recent.lastHour + 1 > limits.perHour) flags.push('velocity_hour')
  if (recent.lastDay + 1 > limits.perDay) flags.push('velocity_day')
  return flags
}

function matches(kind: ContactKind, a: ContactValues, b: ContactValues): boolean {
  return a[kind] !== null && a[kind] === b[kind]
}

function matchedBy(a: ContactValues, b: ContactValues): ContactKind | null {
  return matches('phone', a, b) ? 'phone' : matches('email', a, b) ? 'email' : null
}

/** Decides one submission and records why each check passed or failed. */
export function checkReferral(facts: CheckFacts): CheckDecision {
  const { contact, referrer, now } = facts
  const flags = velocityFlags(facts.recent, facts.limits)
  const checks: Check[] = [{
    check: 'velocity',
    passed: flags.length === 0,
    why: flags.length === 0
      ? `${facts.recent.lastHour + 1}/${facts.limits.perHour} this hour, ${facts.recent.lastDay + 1}/${facts.limits.perDay} today`
      : `over the limit: ${flags.join(', ')} (${facts.recent.lastHour + 1}/${facts.limits.perHour} this hour, ${facts.recent.lastDay + 1}/${facts.limits.perDay} today)`
  }]
  const reject = (reason: RejectionReason, detail: string, matched: Matched | null): CheckDecision => {
    checks.push({ check: reason, passed: false, why: detail })
    return { outcome: 'reject', reason, detail, matched, flags, checks }
  }
  const pass = (check: RejectionReason, why: string) => { checks.push({ check, passed: true, why }) }

  if (!contact.phone && !contact.email) return reject('invalid', 'neither a valid phone number nor a valid email identifies the person', null)
  pass('invalid', 'the person has a valid phone or email')

  const own = matchedBy(contact, referrer)
  if (own) return reject('self_referral', `the ${own} is the referrer's own`, { kind: 'referrer', id: referrer.id })
  const linked = referrer.customerId ? facts.customers.find((c) => c.id === referrer.customerId && matchedBy(contact, c)) : undefined
  if (linked) return reject('self_referral', `the ${matchedBy(contact, linked)} belongs to the customer the referrer is`, { kind: 'customer', id: linked.id })
  pass('self_referral', 'the person is not the referrer')

  const customer = facts.customers.find((c) => matchedBy(contact, c))
  if (customer) return reject('already_customer', `the ${matchedBy(contact, customer)} belongs to an existing customer`, { kind: 'customer', id: customer.id })
  pass('already_customer', 'no customer has this phone or email')

  const holding = facts.claims
    .filter((c) => contact[c.kind] !== null && claimHolds(c, now))
    .sort((a, b) => a.claimedAt.getTime() - b.claimedAt.getTime())[0]
  if (holding) {
    const who = holding.referrerId === referrer.id ? 'this referrer' : 'another referrer'
    return reject('duplicate', `the ${holding.kind} was already referred by ${who} on ${holding.claimedAt.toISOString()}; attribution holds until ${holding.expiresAt.toISOString()}`, { kind: 'referral', id: holding.referralId })
  }
  pass('duplicate', 'no referral holds this person within the attribution window')
  return { outcome: 'accept', flags, checks }
}

/** What a referrer is told about a rejection: the reason in words, without what it matched. */
export const rejectionWording: Readonly<Record<RejectionReason | 'consent_declined' | 'expired', string>> = {
  invalid: 'The referral could not be accepted: the contact details are not usable.',
  self_referral: 'You cannot refer yourself.',
  already_customer: 'This person is already a customer.',
  duplicate: 'This person has already been referred.',
  consent_declined: 'The person declined to be contacted.',
  expired: 'The person did not confirm in time.'
}
