import t from 'tap'
import fc from 'fast-check'
import { decideLeadTransition, leadStatuses, leadTransitions, nextStatuses, type TransitionRequest } from '../../src/rules/lead-status.js'

const status = fc.constantFrom(...leadStatuses)
const via = fc.constantFrom('status_update' as const, 'conversion' as const)
const reason = fc.option(fc.string({ maxLength: 20 }), { nil: undefined })
const request = fc.record({ from: status, to: status, via, reason }) as fc.Arbitrary<TransitionRequest>

t.test('allows the documented moves', async (t) => {
  t.match(decideLeadTransition({ from: 'new', to: 'contacted', via: 'status_update' }), { allowed: true })
  t.match(decideLeadTransition({ from: 'contacted', to: 'qualified', via: 'status_update' }), { allowed: true })
  t.match(decideLeadTransition({ from: 'dormant', to: 'new', via: 'status_update' }), { allowed: true })
  t.match(decideLeadTransition({ from: 'disqualified', to: 'new', via: 'status_update' }), { allowed: true })
  t.match(decideLeadTransition({ from: 'qualified', to: 'converted', via: 'conversion' }), { allowed: true })
})

t.test('refuses converted through a plain status change', async (t) => {
  t.match(decideLeadTransition({ from: 'qualified', to: 'converted', via: 'status_update' }), { allowed: false, code: 'CONVERSION_ONLY' })
})

t.test('refuses a move that is not in the table and says which moves are', async (t) => {
  const d = decideLeadTransition({ from: 'contacted', to: 'new', via: 'status_update' })
  t.match(d, { allowed: false, code: 'NOT_IN_TABLE', reason: /qualified, disqualified, dormant/ })
})

t.test('refuses disqualifying without a reason, blank or missing', async (t) => {
  t.match(decideLeadTransition({ from: 'new', to: 'disqualified', via: 'status_update' }), { allowed: false, code: 'REASON_REQUIRED' })
  t.match(decideLeadTransition({ from: 'new', to: 'disqualified', via: 'status_update', reason: '  ' }), { allowed: false, code: 'REASON_REQUIRED' })
  t.match(decideLeadTransition({ from: 'new', to: 'disqualified', via: 'status_update', reason: 'no budget' }), { allowed: true })
})

t.test('treats the same status as no move', async (t) => {
  t.match(decideLeadTransition({ from: 'new', to: 'new', via: 'status_update' }), { allowed: false, code: 'UNCHANGED' })
})

t.test('offers every table move except converted as a next status', async (t) => {
  t.same(nextStatuses('qualified'), ['disqualified', 'dormant'])
  t.same(nextStatuses('converted'), [])
})

t.test('property: nothing leaves converted', async () => {
  fc.assert(fc.property(status, via, reason, (to, v, r) => !decideLeadTransition({ from: 'converted', to, via: v, reason: r }).allowed))
})

t.test('property: every allowed move is in the table', async () => {
  fc.assert(fc.property(request, (req) => !decideLeadTransition(req).allowed || leadTransitions[req.from].includes(req.to)))
})

t.test('property: converted is reached only by conversion, and conversion reaches only converted', async () => {
  fc.assert(fc.property(request, (req) => {
    const d = decideLeadTransition(req)
    return !d.allowed || ((req.to === 'converted') === (req.via === 'conversion'))
  }))
})

t.test('property: every table move other than converted is allowed with a reason', async () => {
  fc.assert(fc.property(status, fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''), (from, r) =>
    nextStatuses(from).every((to) => decideLeadTransition({ from, to, via: 'status_update', reason: r }).allowed)))
})

t.test('property: the same request always gets the same decision', async () => {
  fc.assert(fc.property(request, (req) => JSON.stringify(decideLeadTransition(req)) === JSON.stringify(decideLeadTransition({ ...req }))))
})

t.test('property: a refusal always explains itself', async () => {
  fc.assert(fc.property(request, (req) => decideLeadTransition(req).reason.length > 0))
})
