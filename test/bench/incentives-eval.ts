/**
 * The pure incentive evaluator under load: 100,000 paid-order events against 50 active
 * order rules (mixed calcs, conditions, multipliers, caps, budgets, stacking), in process,
 * no database. Inputs come from a fixed-seed generator, so every run evaluates the same
 * work; a warm-up pass runs first, then `rounds` timed passes, and the median is reported.
 * Part of `npm run bench` (`--only eval`).
 *
 * Standalone: `npx tsx test/bench/incentives-eval.ts [--events 100000] [--rules 50] [--rounds 5] [--docs]`.
 */
import { cpus, loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { evaluateIncentives, type IncentiveEvent, type IncentiveRule, type IncentiveUsage } from '../../src/rules/incentives.js'
import { writeBlock } from './report.js'

export type EvalOptions = { events: number; rules: number; rounds: number; log: (line: string) => void }
export type EvalResult = {
  events: number
  rules: number
  rounds: number
  /** Median pass. */
  seconds: number
  eventsPerSecond: number
  microsPerEvent: number
  /** Per pass, seconds. */
  runs: number[]
  decisionsPerEvent: number
  matchedPerEvent: number
}

export const defaultEvalOptions: Omit<EvalOptions, 'log'> = { events: 100_000, rules: 50, rounds: 5 }

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const KINDS = ['customer', 'employee', 'partner', 'influencer', 'other']
const TIERS = ['standard', 'silver', 'gold', 'platinum']
const CAMPAIGNS = ['campaign-1', 'campaign-2', 'campaign-3', 'campaign-4']
const PERIODS = ['day', 'week', 'month', 'year', 'all_time'] as const

export function benchRules(n: number, seed = 1): IncentiveRule[] {
  const r = random(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]
  return Array.from({ length: n }, (_, i): IncentiveRule => {
    const calc = pick(['fixed', 'fixed', 'percentage', 'percentage', 'points'] as const)
    const rewardType = calc === 'points' ? 'points' : pick(['cash', 'cash', 'coupon'] as const)
    return {
      id: `rule-${String(i).padStart(3, '0')}`,
      name: `Bench rule ${i}`,
      active: true,
      campaignId: r() < 0.4 ? pick(CAMPAIGNS) : null,
      trigger: 'order_paid',
      orderScope: r() < 0.3 ? 'first' : 'every',
      milestone: null,
      calc,
      rewardType,
      amount: calc === 'percentage' ? null : 1000 + Math.floor(r() * 20_000),
      percentBp: calc === 'percentage' ? 100 + Math.floor(r() * 900) : null,
      currency: 'CNY',
      couponCode: rewardType === 'coupon' ? `BENCH${i}` : null,
      beneficiary: pick(['referrer', 'referrer', 'referred', 'both'] as const),
      referredAmount: r() < 0.3 ? 2000 : null,
      referrerKinds: r() < 0.3 ? [pick(KINDS), pick(KINDS)] : [],
      referrerTiers: r() < 0.2 ? [pick(TIERS)] : [],
      minOrderAmount: r() < 0.5 ? Math.floor(r() * 50_000) : null,
      validFrom: r() < 0.3 ? new Date('2025-01-01T00:00:00Z') : null,
      validUntil: r() < 0.3 ? new Date('2026-01-01T00:00:00Z') : null,
      capAmount: r() < 0.5 ? 5000 + Math.floor(r() * 50_000) : null,
      perReferrerCap: r() < 0.4 ? 20_000 + Math.floor(r() * 100_000) : null,
      perReferrerPeriod: pick(PERIODS),
      tierMultipliers: r() < 0.4 ? { gold: 20_000, platinum: 30_000 } : {},
      priority: Math.floor(r() * 200),
      stackable: r() < 0.7,
      approval: r() < 0.5 ? 'auto' : 'manual',
      holdDays: 14
    }
  })
}

export function benchEvents(n: number, seed = 2): IncentiveEvent[] {
  const r = random(seed)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]
  const start = Date.parse('2025-01-01T00:00:00Z')
  return Array.from({ length: n }, (_, i): IncentiveEvent => ({
    trigger: 'order_paid',
    key: `order_paid:order-${i}`,
    at: new Date(start + Math.floor(r() * 400 * 86_400_000)),
    referrer: { id: `referrer-${Math.floor(r() * 5000)}`, kind: pick(KINDS), tier: pick(TIERS) },
    customerId: r() < 0.95 ? `customer-${i}` : null,
    referralId: `referral-${i}`,
    campaignId: r() < 0.5 ? pick(CAMPAIGNS) : null,
    order: { id: `order-${i}`, amount: Math.floor(r() * 200_000), currency: r() < 0.98 ? 'CNY' : 'USD', first: r() < 0.3 }
  }))
}

/** A pool of usages (what referrers already got, budgets left), cycled over the events. */
export function benchUsages(rules: readonly IncentiveRule[], n = 1000, seed = 3): IncentiveUsage[] {
  const r = random(seed)
  return Array.from({ length: n }, () => ({
    referrerPeriodTotal: Object.fromEntries(rules.filter((rule) => rule.perReferrerCap !== null && r() < 0.5).map((rule) => [rule.id, Math.floor(r() * (rule.perReferrerCap ?? 0) * 1.2)])),
    campaignBudgetLeft: Object.fromEntries(CAMPAIGNS.filter(() => r() < 0.7).map((c) => [c, Math.floor(r() * 100_000)]))
  }))
}

export function benchEval(opts: EvalOptions): EvalResult {
  const rules = benchRules(opts.rules)
  const events = benchEvents(opts.events)
  const usages = benchUsages(rules)
  opts.log(`\n== incentive evaluation: ${opts.events.toLocaleString('en')} order events × ${opts.rules} active rules, in process`)
  const pass = () => {
    let decisions = 0
    let matched = 0
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < events.length; i++) {
      const result = evaluateIncentives(events[i], rules, usages[i % usages.length])
      decisions += result.decisions.length
      for (const e of result.explanations) if (e.matched) matched++
    }
    return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, decisions, matched }
  }
  const warm = pass()
  opts.log(`  warm-up ${warm.seconds.toFixed(2)} s`)
  const runs: number[] = []
  let last = warm
  for (let i = 0; i < opts.rounds; i++) {
    last = pass()
    runs.push(last.seconds)
    opts.log(`  pass ${i + 1}: ${last.seconds.toFixed(3)} s, ${(events.length / last.seconds).toFixed(0)} events/s`)
  }
  const seconds = [...runs].sort((a, b) => a - b)[Math.floor(runs.length / 2)]
  return {
    events: events.length, rules: rules.length, rounds: opts.rounds, seconds, runs,
    eventsPerSecond: events.length / seconds,
    microsPerEvent: (seconds * 1e6) / events.length,
    decisionsPerEvent: last.decisions / events.length,
    matchedPerEvent: last.matched / events.length
  }
}

/** The figures as markdown; with `file`, also written between the bench:eval markers. `note`: an extra line. */
export function reportEval(result: EvalResult, meta: { command: string; note: string }, file?: string): string {
  const cpu = cpus()
  const machine = `Machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, 1-minute load average ${loadavg()[0].toFixed(1)} when it ended; one thread, in process, no I/O; other load on the machine shows as spread between passes.`
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; median of ${result.rounds} passes after a warm-up pass.`,
    '',
    '| workload | events/s | µs per event | decisions per event | rules paying per event |',
    '|---|---|---|---|---|',
    `| evaluateIncentives: ${result.events.toLocaleString('en')} order events × ${result.rules} active rules | ${result.eventsPerSecond.toFixed(0)} | ${result.microsPerEvent.toFixed(1)} | ${result.decisionsPerEvent.toFixed(2)} | ${result.matchedPerEvent.toFixed(2)} |`,
    '',
    `Passes (s): ${result.runs.map((s) => s.toFixed(3)).join(', ')}. ${machine}${meta.note ? `\n\n${meta.note}` : ''}`
  ].join('\n')
  if (file) writeBlock(file, 'eval', '## Incentive evaluation', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
  const opts: EvalOptions = {
    events: flag('events', defaultEvalOptions.events), rules: flag('rules', defaultEvalOptions.rules),
    rounds: flag('rounds', defaultEvalOptions.rounds), log: (l) => console.log(l)
  }
  const result = benchEval(opts)
  console.log(`\n${result.eventsPerSecond.toFixed(0)} events/s, ${result.microsPerEvent.toFixed(1)} µs per event`)
  const root = new URL('../../', import.meta.url).pathname
  console.log(`\n${reportEval(result, { command: `npx tsx test/bench/incentives-eval.ts ${args.join(' ')}`.trim(), note: '' }, args.includes('--docs') ? `${root}docs/performance.md` : undefined)}`)
}
