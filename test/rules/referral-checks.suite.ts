import t from 'tap'
import fc from 'fast-check'
import {
  checkReferral, claimHolds, claimKeys, emailKey, phoneKey, velocityFlags, type CheckFacts, type Claim
} from '../../src/rules/referral-checks.js'

const NOW = new Date('2025-06-01T12:00:00Z')
const DAY = 86_400_000
const mainland = fc.tuple(fc.constantFrom('3', '4', '5', '6', '7', '8', '9'), fc.stringMatching(/^\d{9}$/)).map(([second, rest]) => `1${second}${rest}`)
const decorated = (digits: string) => fc.tuple(fc.constantFrom('', '+86', '+86 ', '0086 ', '86', '(+86) '), fc.constantFrom('', ' ', '-', '.'))
  .map(([prefix, sep]) => `${prefix}${digits.slice(0, 3)}${sep}${digits.slice(3, 7)}${sep}${digits.slice(7)}`)

function facts(over: Partial<CheckFacts> = {}): CheckFacts {
  return {
    contact: { phone: '13800001111', email: null },
    referrer: { id: 'referrer-a', customerId: null, phone: '13900009999', email: 'a@example.com' },
    customers: [],
    claims: [],
    recent: { lastHour: 0, lastDay: 0 },
    limits: { perHour: 20, perDay: 100 },
    now: NOW,
    ...over
  }
}

const claimBy = (referrerId: string, claimedAt: Date, expiresAt: Date, over: Partial<Claim> = {}): Claim =>
  ({ kind: 'phone', referralId: `referral-of-${referrerId}`, referrerId, claimedAt, expiresAt, released: false, ...over })

t.test('property: every way of writing the same mainland mobile gives the same key', async () => {
  fc.assert(fc.property(mainland.chain((d) => fc.tuple(fc.constant(d), decorated(d), decorated(d))), ([digits, a, b]) =>
    phoneKey(a) === digits && phoneKey(a) === phoneKey(b)))
})

t.test('property: emails differing only in case and surrounding spaces give the same key', async () => {
  fc.assert(fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '  '), (email, pad) => {
    const key = emailKey(email)
    return key === null || emailKey(`${pad}${email.toUpperCase()}${pad}`) === emailKey(email.toLowerCase())
  }))
})

t.test('claim keys name the kind of contact', async (t) => {
  t.same(claimKeys({ phone: 'P', email: 'E' }), ['phone:P', 'email:E'])
  t.same(claimKeys({ phone: null, email: 'E' }), ['email:E'])
  t.same(claimKeys({ phone: null, email: null }), [])
})

t.test('accepts a new person and explains every check it passed', async (t) => {
  const d = checkReferral(facts())
  t.equal(d.outcome, 'accept')
  t.same(d.checks.map((c) => [c.check, c.passed]), [['velocity', true], ['invalid', true], ['self_referral', true], ['already_customer', true], ['duplicate', true]])
})

t.test('rejects a person without a usable contact as invalid', async (t) => {
  t.match(checkReferral(facts({ contact: { phone: null, email: null } })), { outcome: 'reject', reason: 'invalid', matched: null })
})

t.test('rejects the referrer referring themself, by phone or by email', async (t) => {
  t.match(checkReferral(facts({ contact: { phone: '13900009999', email: null } })), { outcome: 'reject', reason: 'self_referral', matched: { kind: 'referrer', id: 'referrer-a' } })
  t.match(checkReferral(facts({ contact: { phone: '13800001111', email: 'a@example.com' } })), { outcome: 'reject', reason: 'self_referral', detail: /email/ })
})

t.test('rejects the customer the referrer is linked to as self_referral, other customers as already_customer', async (t) => {
  const customers = [{ id: 'cust-self', phone: '13800001111', email: null }]
  const linked = facts({ customers, referrer: { ...facts().referrer, customerId: 'cust-self' } })
  t.match(checkReferral(linked), { reason: 'self_referral', matched: { kind: 'customer', id: 'cust-self' } })
  t.match(checkReferral(facts({ customers })), { reason: 'already_customer', matched: { kind: 'customer', id: 'cust-self' } })
})

t.test('property: a customer match always rejects, whatever the claims and velocity', async () => {
  fc.assert(fc.property(mainland, fc.nat(500), fc.nat(500), fc.boolean(), (phone, hour, day, claimed) => {
    const d = checkReferral(facts({
      contact: { phone, email: null },
      customers: [{ id: 'c1', phone, email: null }],
      claims: claimed ? [claimBy('referrer-b', new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + DAY))] : [],
      recent: { lastHour: hour, lastDay: day }
    }))
    return d.outcome === 'reject' && d.reason === 'already_customer'
  }))
})

t.test('property: the first referrer keeps the person within the window and loses them after it', async () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 365 }), fc.integer({ min: -400 * 24, max: 400 * 24 }), (windowDays, hoursSinceClaim) => {
    const claimedAt = new Date(NOW.getTime() - hoursSinceClaim * 3_600_000)
    const expiresAt = new Date(claimedAt.getTime() + windowDays * DAY)
    const d = checkReferral(facts({ claims: [claimBy('referrer-b', claimedAt, expiresAt)] }))
    const within = expiresAt.getTime() > NOW.getTime()
    return within ? d.outcome === 'reject' && d.reason === 'duplicate' && d.matched?.id === 'referral-of-referrer-b' : d.outcome === 'accept'
  }))
})

t.test('a rejected referral’s claim holds nobody; a claim on the email alone still counts', async (t) => {
  const live = new Date(NOW.getTime() + DAY)
  t.equal(checkReferral(facts({ claims: [claimBy('referrer-b', NOW, live, { released: true })] })).outcome, 'accept')
  const byEmail = facts({ contact: { phone: '13800001111', email: 'p@example.com' }, claims: [claimBy('referrer-b', NOW, live, { kind: 'email' })] })
  t.match(checkReferral(byEmail), { reason: 'duplicate', detail: /email was already referred by another referrer/ })
  t.match(checkReferral(facts({ claims: [claimBy('referrer-a', NOW, live)] })), { reason: 'duplicate', detail: /by this referrer/ })
  t.equal(claimHolds(claimBy('x', NOW, NOW), NOW), false, 'expiry is exclusive')
})

t.test('property: velocity flags exactly the submissions above the limit', async () => {
  fc.assert(fc.property(fc.nat(300), fc.nat(300), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), (hour, day, perHour, perDay) => {
    const flags = velocityFlags({ lastHour: hour, lastDay: day }, { perHour, perDay })
    return flags.includes('velocity_hour') === (hour + 1 > perHour) && flags.includes('velocity_day') === (day + 1 > perDay)
  }))
})

t.test('velocity flags an accepted referral without rejecting it', async (t) => {
  const d = checkReferral(facts({ recent: { lastHour: 20, lastDay: 20 } }))
  t.match(d, { outcome: 'accept', flags: ['velocity_hour'] })
  t.match(d.checks[0], { check: 'velocity', passed: false, why: /21\/20 this hour/ })
  t.match(checkReferral(facts({ recent: { lastHour: 19, lastDay: 99 } })), { outcome: 'accept', flags: [] })
})

t.test('self-referral is decided before already_customer and duplicate', async (t) => {
  const everything = facts({
    contact: { phone: '13900009999', email: null },
    customers: [{ id: 'c1', phone: '13900009999', email: null }],
    claims: [claimBy('referrer-b', NOW, new Date(NOW.getTime() + DAY))]
  })
  t.match(checkReferral(everything), { reason: 'self_referral' })
})
