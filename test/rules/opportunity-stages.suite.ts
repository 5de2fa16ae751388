import t from 'tap'
import fc from 'fast-check'
import {
  checkProbability, decideStageMove, defaultProbabilities, defaultProbability, isClosed, opportunityStages, type ProbabilityTable
} from '../../src/rules/opportunity-stages.js'

const stage = fc.constantFrom(...opportunityStages)
const percent = fc.integer({ min: 0, max: 100 })
const table = fc.record(Object.fromEntries(opportunityStages.map((s) => [s, percent]))) as fc.Arbitrary<ProbabilityTable>
const move = fc.record({
  from: fc.option(stage, { nil: null }),
  to: stage,
  lostReason: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
  probability: fc.option(fc.integer({ min: -5, max: 105 }), { nil: undefined })
})

t.test('walks the pipeline forward with the documented default probabilities', async (t) => {
  const walk = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation', 'won'] as const
  const seen = walk.slice(1).map((to, i) => decideStageMove({ from: walk[i], to }))
  t.match(seen, [
    { ok: true, kind: 'advance', probability: 25 }, { ok: true, kind: 'advance', probability: 50 },
    { ok: true, kind: 'advance', probability: 75 }, { ok: true, kind: 'close_won', probability: 100, closed: true }
  ])
  t.same(defaultProbabilities, { initial_contact: 10, needs_assessment: 25, proposal: 50, negotiation: 75, won: 100, lost: 0 })
})

t.test('allows stepping back among open stages and skipping ahead', async (t) => {
  t.match(decideStageMove({ from: 'negotiation', to: 'needs_assessment' }), { ok: true, kind: 'step_back', probability: 25 })
  t.match(decideStageMove({ from: 'initial_contact', to: 'negotiation' }), { ok: true, kind: 'advance', probability: 75 })
})

t.test('closes as lost from any open stage only with a reason', async (t) => {
  t.match(decideStageMove({ from: 'proposal', to: 'lost' }), { ok: false, code: 'REQUIRED', field: 'lostReason' })
  t.match(decideStageMove({ from: 'proposal', to: 'lost', lostReason: '   ' }), { ok: false, code: 'REQUIRED' })
  t.match(decideStageMove({ from: 'proposal', to: 'lost', lostReason: ' price ' }), { ok: true, kind: 'close_lost', probability: 0, lostReason: 'price' })
})

t.test('refuses a lost reason on a move that is not to lost', async (t) => {
  t.match(decideStageMove({ from: 'proposal', to: 'won', lostReason: 'price' }), { ok: false, code: 'NOT_APPLICABLE', field: 'lostReason' })
})

t.test('refuses to reopen or move a closed opportunity', async (t) => {
  t.match(decideStageMove({ from: 'won', to: 'negotiation' }), { ok: false, code: 'INVALID_TRANSITION', field: 'stage', explanation: /closed/ })
  t.match(decideStageMove({ from: 'lost', to: 'won' }), { ok: false, code: 'INVALID_TRANSITION' })
})

t.test('treats a move to the current stage as no change, even when closed', async (t) => {
  t.match(decideStageMove({ from: 'proposal', to: 'proposal' }), { ok: true, changed: false })
  t.match(decideStageMove({ from: 'won', to: 'won' }), { ok: true, changed: false })
})

t.test('takes a given probability for open stages but not a wrong one for closed stages', async (t) => {
  t.match(decideStageMove({ from: 'initial_contact', to: 'proposal', probability: 60 }), { ok: true, probability: 60 })
  t.match(decideStageMove({ from: 'proposal', to: 'won', probability: 90 }), { ok: false, code: 'INVALID_PROBABILITY', field: 'probability' })
  t.match(decideStageMove({ from: 'proposal', to: 'won', probability: 100 }), { ok: true, probability: 100 })
  t.match(decideStageMove({ from: 'proposal', to: 'negotiation', probability: 101 }), { ok: false, code: 'INVALID_PROBABILITY' })
  t.match(checkProbability('lost', 0), { ok: true })
})

t.test('uses a configured probability table for open stages', async (t) => {
  const custom = { ...defaultProbabilities, proposal: 40, won: 80 }
  t.match(decideStageMove({ from: 'initial_contact', to: 'proposal' }, custom), { ok: true, probability: 40 })
  t.equal(defaultProbability('won', custom), 100)
})

t.test('accepts any initial stage on creation', async (t) => {
  t.match(decideStageMove({ from: null, to: 'won' }), { ok: true, kind: 'create', probability: 100 })
  t.match(decideStageMove({ from: null, to: 'lost' }), { ok: false, code: 'REQUIRED' })
})

t.test('property: won is always 100 and lost always 0, whatever the table or input', async () => {
  fc.assert(fc.property(move, table, (m, tbl) => {
    const d = decideStageMove(m, tbl)
    if (d.ok && d.changed && d.stage === 'won') return d.probability === 100
    if (d.ok && d.changed && d.stage === 'lost') return d.probability === 0
    return true
  }))
})

t.test('property: nothing moves out of a closed stage', async () => {
  fc.assert(fc.property(move, table, (m, tbl) => {
    if (m.from === null || !isClosed(m.from)) return true
    const d = decideStageMove(m, tbl)
    return m.to === m.from ? d.ok && !d.changed : !d.ok && d.code === 'INVALID_TRANSITION'
  }))
})

t.test('property: every accepted move lands on the requested stage with a probability from 0 to 100', async () => {
  fc.assert(fc.property(move, table, (m, tbl) => {
    const d = decideStageMove(m, tbl)
    if (!d.ok) return d.explanation.length > 0
    return d.stage === m.to && (!d.changed || (d.probability >= 0 && d.probability <= 100 && d.closed === isClosed(m.to)))
  }))
})

t.test('property: deterministic', async () => {
  fc.assert(fc.property(move, table, (m, tbl) => JSON.stringify(decideStageMove(m, tbl)) === JSON.stringify(decideStageMove({ ...m }, { ...tbl }))))
})
