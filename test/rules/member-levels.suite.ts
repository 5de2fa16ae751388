import t from 'tap'
import fc from 'fast-check'
import {
  addMonths, evaluate, highestQualifying, qualifies, windowsOf, type CurrentLevel, type FactsByWindow, type LevelDecision, type MemberLevel, type Occasion
} from '../../src/rules/member-levels.js'

const NOW = new Date('2026-06-15T04:00:00Z')
const DAY = 86_400_000
const WINDOWS = [3, 6, 12] as const

const base: MemberLevel = { id: 'L0', key: 'member', rank: 0, minSpend: null, minPoints: null, match: 'any', windowMonths: 12, reviewMonths: 12, active: true }

const levelArb = (rank: number) => fc.record({
  minSpend: fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: null }),
  minPoints: fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: null }),
  match: fc.constantFrom('any' as const, 'all' as const),
  windowMonths: fc.constantFrom(...WINDOWS),
  reviewMonths: fc.integer({ min: 1, max: 24 }),
  active: fc.boolean()
}).map((l): MemberLevel => ({
  ...l, id: `L${rank}`, key: `level${rank}`, rank,
  // A level above the base has a threshold (the service refuses one without).
  minSpend: l.minSpend === null && l.minPoints === null ? 1000 * rank : l.minSpend
}))

const levelsArb: fc.Arbitrary<MemberLevel[]> = fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { maxLength: 5 })
  .chain((ranks) => (ranks.length ? fc.tuple(...ranks.map(levelArb)) : fc.constant([] as MemberLevel[])))
  .map((others) => [base, ...others])

const factsArb: fc.Arbitrary<Record<number, { spend: number; points: number }>> = fc.tuple(
  ...WINDOWS.map(() => fc.record({ spend: fc.integer({ min: 0, max: 200_000 }), points: fc.integer({ min: 0, max: 20_000 }) }))
).map((list) => Object.fromEntries(WINDOWS.map((w, i) => [w, list[i]])))

/** Facts at least as large in every window. */
const moreArb = (facts: FactsByWindow) => fc.tuple(...WINDOWS.map(() => fc.tuple(fc.nat(50_000), fc.nat(5_000))))
  .map((adds) => Object.fromEntries(WINDOWS.map((w, i) => [w, { spend: facts[w].spend + adds[i][0], points: facts[w].points + adds[i][1] }])))

const currentArb = (levels: MemberLevel[]): fc.Arbitrary<CurrentLevel | null> => fc.option(fc.record({
  levelId: fc.constantFrom(...levels.map((l) => l.id)),
  reachedAt: fc.integer({ min: -800, max: 0 }).map((d) => new Date(NOW.getTime() + d * DAY)),
  reviewAt: fc.option(fc.integer({ min: -400, max: 400 }).map((d) => new Date(NOW.getTime() + d * DAY)), { nil: null })
}), { nil: null })

const occasionArb = fc.constantFrom<Occasion>('activity', 'review')
const scenarioArb = levelsArb.chain((levels) => fc.record({
  levels: fc.constant(levels), current: currentArb(levels), facts: factsArb, occasion: occasionArb
}))

const rankOf = (levels: MemberLevel[], id: string | null) => levels.find((l) => l.id === id)?.rank ?? 0
const resultId = (d: LevelDecision) => (d.kind === 'keep' ? d.levelId : d.toLevelId)
const rankAfter = (levels: MemberLevel[], d: LevelDecision) => rankOf(levels, resultId(d))

t.test('a level qualifies by any or all of its thresholds over its own window; no threshold is the base', async (t) => {
  const gold: MemberLevel = { id: 'G', key: 'gold', rank: 2, minSpend: 500_000, minPoints: 5000, match: 'any', windowMonths: 12, reviewMonths: 12, active: true }
  t.ok(qualifies(gold, { spend: 500_000, points: 0 }).ok, 'spend reached exactly')
  t.ok(qualifies(gold, { spend: 0, points: 5000 }).ok, 'points reached')
  t.notOk(qualifies(gold, { spend: 499_999, points: 4999 }).ok)
  t.notOk(qualifies({ ...gold, match: 'all' }, { spend: 500_000, points: 4999 }).ok, 'all needs both')
  t.ok(qualifies({ ...gold, match: 'all' }, { spend: 500_000, points: 5000 }).ok)
  t.ok(qualifies(base, { spend: 0, points: 0 }).ok)
  t.equal(qualifies(gold, { spend: 1, points: 2 }).why, 'gold (any over 12 months): spend 1 < 500000, points 2 < 5000')
  const silver: MemberLevel = { ...gold, id: 'S', key: 'silver', rank: 1, minSpend: 100_000, minPoints: null, windowMonths: 6 }
  t.same(windowsOf([base, gold, silver, { ...silver, id: 'X', rank: 3, windowMonths: 3, active: false }]), [6, 12], 'active levels with thresholds only')
  t.equal(highestQualifying([base, silver, gold], { 6: { spend: 100_000, points: 0 }, 12: { spend: 100_000, points: 0 } }).level!.key, 'silver')
  t.equal(highestQualifying([base, silver, { ...gold, active: false }], { 6: { spend: 0, points: 0 }, 12: { spend: 9e6, points: 9e6 } }).level!.key, 'member', 'an inactive level never qualifies')
})

t.test('months are calendar months in UTC, the end of a short month clamped', async (t) => {
  t.equal(addMonths(new Date('2026-01-31T10:00:00Z'), 1).toISOString(), '2026-02-28T10:00:00.000Z')
  t.equal(addMonths(new Date('2024-02-29T00:00:00Z'), 12).toISOString(), '2025-02-28T00:00:00.000Z')
  t.equal(addMonths(new Date('2026-03-31T16:00:00Z'), -1).toISOString(), '2026-02-28T16:00:00.000Z')
  t.equal(addMonths(new Date('2026-06-15T04:00:00Z'), -12).toISOString(), '2025-06-15T04:00:00.000Z')
})

t.test('worked example: up to silver at once, kept mid-period, down at the review, renewed when still qualifying', async (t) => {
  const silver: MemberLevel = { id: 'S', key: 'silver', rank: 1, minSpend: 100_000, minPoints: 1000, match: 'any', windowMonths: 12, reviewMonths: 12, active: true }
  const gold: MemberLevel = { ...silver, id: 'G', key: 'gold', rank: 2, minSpend: 500_000, minPoints: null }
  const levels = [base, silver, gold]
  const f = (spend: number, points = 0): FactsByWindow => ({ 12: { spend, points } })
  const up = evaluate(levels, null, f(120_000), NOW, 'activity')
  t.match(up, { kind: 'upgrade', fromLevelId: 'L0', toLevelId: 'S', reachedAt: NOW, reviewAt: new Date('2027-06-15T04:00:00Z') })
  const at = { levelId: 'S', reachedAt: NOW, reviewAt: new Date('2027-06-15T04:00:00Z') }
  t.match(evaluate(levels, at, f(0), new Date('2026-12-01T00:00:00Z'), 'activity'), { kind: 'keep', levelId: 'S' }, 'no spend left, but mid-period')
  t.match(evaluate(levels, at, f(0), new Date('2026-12-01T00:00:00Z'), 'review'), { kind: 'keep', explanation: 'not yet due for review' })
  t.match(evaluate(levels, at, f(600_000), new Date('2026-12-01T00:00:00Z'), 'activity'), { kind: 'upgrade', toLevelId: 'G' })
  const later = new Date('2027-06-15T04:00:00Z')
  t.match(evaluate(levels, at, f(50_000), later, 'review'), { kind: 'downgrade', fromLevelId: 'S', toLevelId: 'L0', reachedAt: later, reviewAt: null })
  t.match(evaluate(levels, at, f(50_000, 1000), later, 'review'), { kind: 'renewal', toLevelId: 'S', reachedAt: NOW, reviewAt: new Date('2028-06-15T04:00:00Z') })
  const goldAt = { levelId: 'G', reachedAt: NOW, reviewAt: later }
  t.match(evaluate(levels, goldAt, f(150_000), later, 'review'), { kind: 'downgrade', toLevelId: 'S', reviewAt: new Date('2028-06-15T04:00:00Z') }, 'down to the highest it still qualifies for')
})

t.test('deterministic: the same inputs give the same decision', async (t) => {
  fc.assert(fc.property(scenarioArb, ({ levels, current, facts, occasion }) => {
    const a = evaluate(levels, current, facts, NOW, occasion)
    const b = evaluate([...levels].reverse(), current ? { ...current } : null, { ...facts }, new Date(NOW.getTime()), occasion)
    return JSON.stringify(a) === JSON.stringify(b)
  }))
})

t.test('monotonic: more spend or points never gives a lower level, on any occasion', async (t) => {
  fc.assert(fc.property(scenarioArb.chain((s) => fc.record({ s: fc.constant(s), more: moreArb(s.facts) })), ({ s, more }) => {
    const less = evaluate(s.levels, s.current, s.facts, NOW, s.occasion)
    const most = evaluate(s.levels, s.current, more, NOW, s.occasion)
    return rankAfter(s.levels, most) >= rankAfter(s.levels, less)
  }))
})

t.test('activity never moves a level down, and nothing moves down before the review date', async (t) => {
  fc.assert(fc.property(scenarioArb, ({ levels, current, facts, occasion }) => {
    const d = evaluate(levels, current, facts, NOW, occasion)
    const before = rankOf(levels, current?.levelId ?? 'L0')
    const after = rankAfter(levels, d)
    const due = occasion === 'review' && current?.reviewAt != null && NOW >= current.reviewAt
    if (!due && after < before) return false
    // A downgrade is a review's, and only once due.
    return d.kind !== 'downgrade' || due
  }))
})

t.test('an upgrade is immediate: whenever a higher active level qualifies, the customer reaches the highest now', async (t) => {
  fc.assert(fc.property(scenarioArb, ({ levels, current, facts, occasion }) => {
    const d = evaluate(levels, current, facts, NOW, occasion)
    const best = highestQualifying(levels, facts).level!
    const before = rankOf(levels, current?.levelId ?? 'L0')
    if (best.rank > before) {
      return d.kind === 'upgrade' && d.toLevelId === best.id && d.reachedAt.getTime() === NOW.getTime() &&
        d.reviewAt!.getTime() === addMonths(NOW, best.reviewMonths).getTime()
    }
    return d.kind !== 'upgrade'
  }))
})

t.test('at a due review the customer lands on the highest level it qualifies for; a kept level gets a new review date', async (t) => {
  fc.assert(fc.property(scenarioArb, ({ levels, current, facts }) => {
    if (!current || current.reviewAt === null || NOW < current.reviewAt) return true
    const d = evaluate(levels, current, facts, NOW, 'review')
    const best = highestQualifying(levels, facts).level!
    if (d.kind === 'keep') return false
    if (resultId(d) !== best.id) return false
    if (d.kind === 'renewal') return d.reachedAt === current.reachedAt && (best.rank === 0 ? d.reviewAt === null : d.reviewAt!.getTime() === addMonths(NOW, best.reviewMonths).getTime())
    return true
  }))
})
