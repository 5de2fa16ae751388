import t from 'tap'
import { fileURLToPath } from 'node:url'
import { evaluateIncentives, type IncentiveUsage } from '../../src/rules/incentives.js'
import { eventFromJson, markedJson, ruleFromInput, shown } from './incentives.fixtures.js'

// The worked examples of docs/incentives.md are evaluated from the page itself: each shown
// result must be exactly what the evaluator says, and the key figures are pinned here too.
const blocks = markedJson(fileURLToPath(new URL('../../docs/incentives.md', import.meta.url)))

function run(example: string, kase: string) {
  const rule = blocks.get(`${example} rule`)
  const input = blocks.get(`${kase} event`)
  const expected = blocks.get(`${kase} result`)
  if (!rule || !input || !expected) throw new Error(`docs/incentives.md lacks example ${kase}`)
  const evaluation = evaluateIncentives(eventFromJson(input.event as Record<string, unknown>), [ruleFromInput(rule, `rule-${example}`)], input.usage as IncentiveUsage)
  return { evaluation, expected }
}

t.test('the docs show four worked examples, each with its rule, events and results', async (t) => {
  t.same([...blocks.keys()].filter((k) => k.endsWith(' rule')), ['1 rule', '2 rule', '3 rule', '4 rule'])
  for (const k of blocks.keys()) if (k.endsWith(' event')) t.ok(blocks.has(k.replace(' event', ' result')), `${k} has a result`)
})

t.test('example 1: a double-sided ¥50/¥50 pays both on the first order and nothing on the second', async (t) => {
  const first = run('1', '1a')
  t.same(shown(first.evaluation), first.expected)
  t.same(first.evaluation.decisions.map((d) => [d.beneficiary, d.beneficiaryId, d.amount, d.approval]), [['referrer', 'referrer-1', 5000, 'auto'], ['referred', 'customer-1', 5000, 'auto']])
  t.equal(first.evaluation.decisions[0].holdUntil?.toISOString(), '2025-06-15T08:00:00.000Z')
  const second = run('1', '1b')
  t.same(shown(second.evaluation), second.expected)
  t.equal(second.evaluation.explanations[0].code, 'not_first_order')
})

t.test('example 2: 5% of the order, rounded half up, capped at ¥500 and by the monthly per-referrer cap', async (t) => {
  const small = run('2', '2a')
  t.same(shown(small.evaluation), small.expected)
  t.equal(small.evaluation.decisions[0].amount, 12_345, '12,344.5 fen rounds half up')
  const large = run('2', '2b')
  t.same(shown(large.evaluation), large.expected)
  t.equal(large.evaluation.decisions[0].amount, 20_000, '¥617.28 capped at ¥500, then cut to the ¥200 left this month')
})

t.test('example 3: a campaign rule doubles for gold referrers, is cut by the budget and ends at validUntil', async (t) => {
  const gold = run('3', '3a')
  t.same(shown(gold.evaluation), gold.expected)
  t.equal(gold.evaluation.decisions[0].amount, 20_000)
  t.equal(gold.evaluation.decisions[0].holdUntil, null, 'no hold outside orders')
  const silver = run('3', '3b')
  t.same(shown(silver.evaluation), silver.expected)
  t.equal(silver.evaluation.decisions[0].amount, 6000)
  const late = run('3', '3c')
  t.same(shown(late.evaluation), late.expected)
  t.equal(late.evaluation.explanations[0].code, 'expired')
})

t.test('example 4: a milestone bonus pays on the 10th conversion only', async (t) => {
  const tenth = run('4', '4a')
  t.same(shown(tenth.evaluation), tenth.expected)
  t.same(tenth.evaluation.decisions.map((d) => [d.beneficiaryId, d.amount, d.rewardType]), [['referrer-1', 30_000, 'cash']])
  const eleventh = run('4', '4b')
  t.same(shown(eleventh.evaluation), eleventh.expected)
  t.same(eleventh.evaluation.decisions, [])
})
