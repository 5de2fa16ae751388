import t from 'tap'
import fc from 'fast-check'
import { checkAmountCorrection, checkPaidAt, decideRefund, PAID_AT_SKEW_MS, statusOf } from '../../src/rules/orders.js'

const paidAt = new Date('2025-06-01T00:00:00Z')
const order = (amount: number, refundedAmount = 0) => ({ amount, refundedAmount, currency: 'CNY', paidAt })
const later = new Date('2025-06-02T00:00:00Z')
const now = new Date('2025-06-03T00:00:00Z')

t.test('a partial refund leaves the order paid; the one that reaches the amount makes it refunded', async (t) => {
  t.match(decideRefund(order(10000), { amount: 3000, refundedAt: later, now }), { ok: true, amount: 3000, refundedAmount: 3000, remaining: 7000, status: 'paid' })
  t.match(decideRefund(order(10000, 3000), { amount: 7000, refundedAt: later, now }), { ok: true, refundedAmount: 10000, remaining: 0, status: 'refunded' })
})

t.test('without an amount a refund takes all that remains', async (t) => {
  t.match(decideRefund(order(999, 99), { refundedAt: later, now }), { ok: true, amount: 900, status: 'refunded' })
})

t.test('refuses more than remains, naming what is left', async (t) => {
  t.match(decideRefund(order(5000, 4000), { amount: 1001, refundedAt: later, now }),
    { ok: false, kind: 'state', field: 'amount.amount', code: 'EXCEEDS_REFUNDABLE', explanation: /1000 CNY left/ })
  t.match(decideRefund(order(5000, 5000), { amount: 1, refundedAt: later, now }), { ok: false, kind: 'state', code: 'FULLY_REFUNDED' })
})

t.test('refuses another currency and a refund dated before the payment as input errors', async (t) => {
  t.match(decideRefund(order(100), { amount: 1, currency: 'USD', refundedAt: later, now }), { ok: false, kind: 'input', code: 'CURRENCY_MISMATCH' })
  t.match(decideRefund(order(100), { amount: 1, refundedAt: new Date(paidAt.getTime() - 1), now }), { ok: false, kind: 'input', code: 'BEFORE_PAYMENT' })
  t.match(decideRefund(order(100), { amount: 1, refundedAt: paidAt, now }), { ok: true }, 'the same instant is fine')
})

t.test('a refund may not be dated more than a day ahead of now', async (t) => {
  t.match(decideRefund(order(100), { amount: 1, refundedAt: new Date(now.getTime() + PAID_AT_SKEW_MS + 1), now }), { ok: false, kind: 'input', field: 'refundedAt', code: 'IN_FUTURE' })
  t.match(decideRefund(order(100), { amount: 1, refundedAt: new Date(now.getTime() + PAID_AT_SKEW_MS), now }), { ok: true })
})

t.test('paidAt may run ahead of now by a day at most', async (t) => {
  t.equal(checkPaidAt(new Date(now.getTime() + PAID_AT_SKEW_MS), now), null)
  t.match(checkPaidAt(new Date(now.getTime() + PAID_AT_SKEW_MS + 1), now), { ok: false, field: 'paidAt', code: 'IN_FUTURE' })
  t.equal(checkPaidAt(new Date('2001-01-01T00:00:00Z'), now), null, 'history is fine')
})

t.test('the amount may be corrected only while there are no refunds', async (t) => {
  t.equal(checkAmountCorrection(order(100), { amount: 200, currency: 'CNY' }), null)
  t.equal(checkAmountCorrection(order(100, 10), { amount: 100, currency: 'CNY' }), null, 'unchanged is always fine')
  t.match(checkAmountCorrection(order(100, 10), { amount: 200, currency: 'CNY' }), { ok: false, code: 'HAS_REFUNDS' })
  t.match(checkAmountCorrection(order(100, 10), { amount: 100, currency: 'USD' }), { ok: false, code: 'HAS_REFUNDS' })
})

t.test('property: any sequence of refund requests never refunds more than the amount, and the status follows the total', async () => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.array(fc.option(fc.integer({ min: 1, max: 1_200_000 }), { nil: undefined }), { maxLength: 20 }),
    (amount, requests) => {
      let refunded = 0
      let accepted = 0
      for (const request of requests) {
        const d = decideRefund(order(amount, refunded), { amount: request, refundedAt: later, now })
        if (!d.ok) {
          if (request !== undefined && request <= amount - refunded) return false
          continue
        }
        if (d.refundedAmount !== refunded + d.amount || d.amount <= 0) return false
        refunded = d.refundedAmount
        accepted += d.amount
        if (d.status !== statusOf(amount, refunded) || d.remaining !== amount - refunded) return false
      }
      return refunded <= amount && accepted === refunded
    }
  ))
})
