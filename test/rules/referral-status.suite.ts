import t from 'tap'
import fc from 'fast-check'
import {
  decideReferralMove, manualRejectionReasons, referralStatuses, referralTransitions, rejectionReasons, type ReferralMove
} from '../../src/rules/referral-status.js'

const status = fc.constantFrom(...referralStatuses)
const via = fc.constantFrom('consent' as const, 'progress' as const, 'manager' as const, 'expiry' as const)
const reason = fc.option(fc.constantFrom(...rejectionReasons), { nil: null })
const move = fc.record({ from: status, to: status, via, reason }) as fc.Arbitrary<ReferralMove>

t.test('allows the documented moves, each by its own actor', async (t) => {
  t.match(decideReferralMove({ from: 'pending_consent', to: 'submitted', via: 'consent' }), { allowed: true })
  t.match(decideReferralMove({ from: 'pending_consent', to: 'rejected', via: 'consent', reason: 'consent_declined' }), { allowed: true })
  t.match(decideReferralMove({ from: 'pending_consent', to: 'rejected', via: 'expiry', reason: 'expired' }), { allowed: true })
  t.match(decideReferralMove({ from: 'submitted', to: 'qualified', via: 'progress' }), { allowed: true })
  t.match(decideReferralMove({ from: 'submitted', to: 'qualified', via: 'manager' }), { allowed: true })
  t.match(decideReferralMove({ from: 'submitted', to: 'converted', via: 'progress' }), { allowed: true })
  t.match(decideReferralMove({ from: 'qualified', to: 'converted', via: 'progress' }), { allowed: true })
  t.match(decideReferralMove({ from: 'qualified', to: 'rejected', via: 'manager', reason: 'invalid' }), { allowed: true })
})

t.test('nothing but consent moves a referral out of pending_consent into the pipeline', async (t) => {
  t.match(decideReferralMove({ from: 'pending_consent', to: 'qualified', via: 'manager' }), { allowed: false, code: 'NEEDS_CONSENT' })
  t.match(decideReferralMove({ from: 'pending_consent', to: 'submitted', via: 'manager' }), { allowed: false, code: 'WRONG_ACTOR' })
})

t.test('converted and rejected are final', async (t) => {
  t.match(decideReferralMove({ from: 'converted', to: 'rejected', via: 'manager', reason: 'invalid' }), { allowed: false, code: 'FINAL' })
  t.match(decideReferralMove({ from: 'rejected', to: 'submitted', via: 'consent' }), { allowed: false, code: 'FINAL' })
})

t.test('managers may not convert, nor reject for consent or expiry', async (t) => {
  t.match(decideReferralMove({ from: 'qualified', to: 'converted', via: 'manager' }), { allowed: false, code: 'WRONG_ACTOR' })
  t.match(decideReferralMove({ from: 'submitted', to: 'rejected', via: 'manager', reason: 'expired' }), { allowed: false, code: 'REASON' })
  t.match(decideReferralMove({ from: 'submitted', to: 'rejected', via: 'expiry', reason: 'expired' }), { allowed: false, code: 'REASON' })
})

t.test('property: an allowed move is always in the table, and never out of a final status', async () => {
  fc.assert(fc.property(move, (m) => {
    const d = decideReferralMove(m)
    if (!d.allowed) return true
    return referralTransitions[m.from].includes(m.to) && m.from !== 'converted' && m.from !== 'rejected'
  }))
})

t.test('property: a manager rejection is allowed exactly for manual reasons on a status that is not final', async () => {
  fc.assert(fc.property(status, fc.constantFrom(...rejectionReasons), (from, r) => {
    const d = decideReferralMove({ from, to: 'rejected', via: 'manager', reason: r })
    const expected = from !== 'rejected' && from !== 'converted' && (manualRejectionReasons as readonly string[]).includes(r)
    return d.allowed === expected
  }))
})
