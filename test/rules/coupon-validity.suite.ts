import t from 'tap'
import fc from 'fast-check'
import { couponWindow, decideCoupon, discountOf, templateProblems, type CouponFacts, type CouponOffer, type CouponUse, type TemplateShape } from '../../src/rules/coupon-validity.js'

const NOW = new Date('2026-06-15T04:00:00Z')
const DAY = 86_400_000
const ALICE = '0190aaaa-0000-7000-8000-000000000001'
const BOB = '0190aaaa-0000-7000-8000-000000000002'

const offer = (o: Partial<CouponOffer> = {}): CouponOffer => ({
  kind: 'amount_off', currency: 'CNY', amountOff: 2000, percentBp: null, maxDiscount: null, giftItemCode: null, minOrderAmount: 0, perCustomerLimit: null, ...o
})
const coupon = (c: Partial<CouponFacts> = {}): CouponFacts => ({ status: 'issued', holderCustomerId: ALICE, validFrom: null, validUntil: null, ...c })
const use = (u: Partial<CouponUse> = {}): CouponUse => ({ customerId: ALICE, orderAmount: 10_000, currency: 'CNY', now: NOW, customerUses: 0, ...u })

const offerArb: fc.Arbitrary<CouponOffer> = fc.oneof(
  fc.record({ kind: fc.constant('amount_off' as const), amountOff: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), percentBp: fc.constant(null), maxDiscount: fc.constant(null), giftItemCode: fc.constant(null) }),
  fc.record({ kind: fc.constant('percent_off' as const), amountOff: fc.constant(null), percentBp: fc.integer({ min: 1, max: 10_000 }), maxDiscount: fc.option(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { nil: null }), giftItemCode: fc.constant(null) }),
  fc.record({ kind: fc.constant('gift' as const), amountOff: fc.constant(null), percentBp: fc.constant(null), maxDiscount: fc.constant(null), giftItemCode: fc.constant('SKU-GIFT') })
).chain((shape) => fc.record({
  currency: fc.constant('CNY'), minOrderAmount: fc.integer({ min: 0, max: 1_000_000 }), perCustomerLimit: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null })
}).map((rest) => ({ ...shape, ...rest })))
const amountArb = fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }))

t.test('the discount never exceeds the order amount, nor maxDiscount, and is never negative', async (t) => {
  fc.assert(fc.property(offerArb, amountArb, (o, amount) => {
    const d = discountOf(o, amount)
    if (!Number.isSafeInteger(d) || d < 0 || d > amount) return false
    if (o.maxDiscount !== null && d > o.maxDiscount) return false
    if (o.kind === 'gift') return d === 0
    if (o.kind === 'amount_off') return d === Math.min(o.amountOff!, amount)
    // percent_off: the percentage rounded down, exactly (BigInt), then capped.
    const exact = (BigInt(amount) * BigInt(o.percentBp!)) / 10000n
    return BigInt(d) === (o.maxDiscount !== null && BigInt(o.maxDiscount) < exact ? BigInt(o.maxDiscount) : exact)
  }), { numRuns: 3000 })
})

t.test('percent_off rounds down to the fen and is capped; amount_off stops at the order amount', async (t) => {
  t.equal(discountOf(offer({ kind: 'percent_off', amountOff: null, percentBp: 1500 }), 9_999), 1499)
  t.equal(discountOf(offer({ kind: 'percent_off', amountOff: null, percentBp: 1500, maxDiscount: 1000 }), 9_999), 1000)
  t.equal(discountOf(offer({ kind: 'percent_off', amountOff: null, percentBp: 10_000 }), Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER)
  t.equal(discountOf(offer({ amountOff: 2000 }), 1500), 1500)
  t.equal(discountOf(offer({ amountOff: 2000 }), 0), 0)
})

t.test('a valid coupon answers its discount and an explanation; a gift answers its item', async (t) => {
  t.same(decideCoupon(offer(), coupon(), use()), { ok: true, discount: 2000, giftItemCode: null, explanation: '2000 off (amount_off 2000)' })
  t.match(decideCoupon(offer({ kind: 'gift', amountOff: null, giftItemCode: 'SKU-9' }), coupon(), use()), { ok: true, discount: 0, giftItemCode: 'SKU-9' })
  t.match(decideCoupon(offer({ kind: 'percent_off', amountOff: null, percentBp: 1000, maxDiscount: 500 }), coupon(), use()), { ok: true, discount: 500, explanation: '500 off (10%, at most 500)' })
})

t.test('each reason, and the first one wins', async (t) => {
  const reason = (o: CouponOffer, c: CouponFacts, u: CouponUse) => { const d = decideCoupon(o, c, u); return d.ok ? 'OK' : d.reason }
  t.equal(reason(offer(), coupon({ status: 'voided' }), use()), 'VOIDED')
  t.equal(reason(offer(), coupon({ status: 'redeemed', validUntil: new Date(NOW.getTime() - DAY) }), use()), 'ALREADY_REDEEMED', 'used beats expired')
  t.equal(reason(offer(), coupon(), use({ customerId: BOB })), 'WRONG_CUSTOMER')
  t.equal(reason(offer(), coupon(), use({ customerId: null })), 'CUSTOMER_REQUIRED')
  t.equal(reason(offer(), coupon({ holderCustomerId: null }), use({ customerId: null })), 'OK', 'an unassigned code is used by whoever presents it')
  t.equal(reason(offer({ perCustomerLimit: 1 }), coupon({ holderCustomerId: null }), use({ customerId: null })), 'CUSTOMER_REQUIRED', 'a limited offer must know the buyer')
  t.equal(reason(offer(), coupon({ validFrom: new Date(NOW.getTime() + 1) }), use()), 'NOT_STARTED')
  t.equal(reason(offer(), coupon({ validFrom: NOW }), use()), 'OK', 'valid from its first instant')
  t.equal(reason(offer(), coupon({ validUntil: NOW }), use()), 'EXPIRED', 'validUntil is exclusive')
  t.equal(reason(offer(), coupon({ validUntil: new Date(NOW.getTime() + 1) }), use()), 'OK')
  t.equal(reason(offer(), coupon(), use({ currency: 'USD' })), 'CURRENCY_MISMATCH')
  t.equal(reason(offer({ minOrderAmount: 10_001 }), coupon(), use()), 'BELOW_MINIMUM')
  t.equal(reason(offer({ minOrderAmount: 10_000 }), coupon(), use()), 'OK', 'the minimum itself qualifies')
  t.equal(reason(offer({ perCustomerLimit: 2 }), coupon(), use({ customerUses: 2 })), 'LIMIT_REACHED')
  t.equal(reason(offer({ perCustomerLimit: 2 }), coupon(), use({ customerUses: 1 })), 'OK')
})

t.test('a refusal never gives a discount; an acceptance meets every condition', async (t) => {
  const factsArb = fc.record({
    status: fc.constantFrom('issued' as const, 'redeemed' as const, 'voided' as const),
    holderCustomerId: fc.constantFrom(ALICE, BOB, null),
    validFrom: fc.option(fc.integer({ min: -10, max: 10 }).map((d) => new Date(NOW.getTime() + d * DAY)), { nil: null }),
    validUntil: fc.option(fc.integer({ min: -10, max: 10 }).map((d) => new Date(NOW.getTime() + d * DAY)), { nil: null })
  })
  const useArb = fc.record({
    customerId: fc.constantFrom(ALICE, BOB, null), orderAmount: amountArb, currency: fc.constantFrom('CNY', 'USD'), now: fc.constant(NOW),
    customerUses: fc.integer({ min: 0, max: 6 })
  })
  fc.assert(fc.property(offerArb, factsArb, useArb, (o, c, u) => {
    const d = decideCoupon(o, c, u)
    if (!d.ok) return !('discount' in d) && d.message.length > 0
    return c.status === 'issued' && (c.holderCustomerId === null || c.holderCustomerId === u.customerId) &&
      (c.validFrom === null || c.validFrom <= u.now) && (c.validUntil === null || c.validUntil > u.now) &&
      u.currency === o.currency && u.orderAmount >= o.minOrderAmount && (o.perCustomerLimit === null || u.customerUses < o.perCustomerLimit) &&
      d.discount <= u.orderAmount && (o.maxDiscount === null || d.discount <= o.maxDiscount)
  }), { numRuns: 3000 })
})

t.test('the window: fixed dates as they are; N days from the issue, never past validUntil nor before validFrom', async (t) => {
  const from = new Date('2026-07-01T00:00:00+08:00')
  const until = new Date('2026-08-01T00:00:00+08:00')
  t.same(couponWindow({ validFrom: from, validUntil: until, validDays: null }, NOW), { validFrom: from, validUntil: until })
  t.same(couponWindow({ validFrom: null, validUntil: null, validDays: 30 }, NOW), { validFrom: NOW, validUntil: new Date(NOW.getTime() + 30 * DAY) })
  t.same(couponWindow({ validFrom: from, validUntil: until, validDays: 10 }, NOW), { validFrom: from, validUntil: new Date(from.getTime() + 10 * DAY) })
  t.same(couponWindow({ validFrom: null, validUntil: until, validDays: 90 }, NOW), { validFrom: NOW, validUntil: until })
  fc.assert(fc.property(fc.integer({ min: -100, max: 100 }), fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }), fc.integer({ min: 1, max: 400 }), (start, length, days) => {
    const validFrom = new Date(NOW.getTime() + start * DAY)
    const validUntil = length === null ? null : new Date(validFrom.getTime() + length * DAY)
    const w = couponWindow({ validFrom, validUntil, validDays: days }, NOW)
    return w.validFrom!.getTime() >= Math.max(validFrom.getTime(), NOW.getTime()) &&
      w.validUntil!.getTime() - w.validFrom!.getTime() <= days * DAY &&
      (validUntil === null || w.validUntil!.getTime() <= validUntil.getTime())
  }))
})

t.test('template checks: what each kind needs and forbids, dates in order, never below what is issued', async (t) => {
  const shape = (s: Partial<TemplateShape>): TemplateShape => ({ ...offer(), validFrom: null, validUntil: null, validDays: null, totalQuantity: null, issuedCount: 0, ...s })
  t.same(templateProblems(shape({})), [])
  t.same(templateProblems(shape({ amountOff: null })).map((p) => [p.field, p.code]), [['amountOff', 'REQUIRED']])
  t.same(templateProblems(shape({ kind: 'percent_off', maxDiscount: 100 })).map((p) => [p.field, p.code]), [['amountOff', 'NOT_APPLICABLE'], ['percentBp', 'REQUIRED']])
  t.same(templateProblems(shape({ kind: 'gift', amountOff: null, percentBp: 10 })).map((p) => [p.field, p.code]), [['percentBp', 'NOT_APPLICABLE'], ['giftItemCode', 'REQUIRED']])
  t.same(templateProblems(shape({ maxDiscount: 5 })).map((p) => p.field), ['maxDiscount'])
  t.same(templateProblems(shape({ giftItemCode: 'X' })).map((p) => p.field), ['giftItemCode'])
  t.same(templateProblems(shape({ validFrom: NOW, validUntil: NOW })).map((p) => p.code), ['BEFORE_START'])
  t.same(templateProblems(shape({ totalQuantity: 4, issuedCount: 5 })).map((p) => p.code), ['BELOW_ISSUED'])
})
