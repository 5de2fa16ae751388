import { isDeepStrictEqual } from 'node:util'
import { expectedFunnel, expectedKpis, expectedLeaderboard, rankOf } from './model-analytics-expect.js'
import type { Actor, Model } from './model-state.js'
import { ModelFailure } from './model-world.js'

/**
 * The figures of referralFunnel, referrerLeaderboard (by referrals) and kpis the model can
 * state (model-analytics-expect.ts), checked on the GraphQL answer (which equals REST's).
 */
const fail = (msg: string): never => { throw new ModelFailure(msg) }

export const FUNNEL = '{ view steps { step count rateFromPrevious overallRate duration { count } } }'
const KPI = '{ value previous change }'
export const KPIS = `{ period { previousFrom previousTo } leadConversionRate ${KPI} averageSalesCycleSeconds ${KPI} repurchaseRate ${KPI} referralRate ${KPI}
  activeReferrers ${KPI} churnedCustomers ${KPI} customersPerRep ${KPI} satisfaction ${KPI} }`
const ROW = '{ rank referrer { id name code } conversions referrals revenue { amount currency } rewards { amount currency } rewardPoints }'
export const LEADERBOARD = `{ rankBy currency rankedCount rows ${ROW} me ${ROW} }`

const STEPS = ['submitted', 'consented', 'qualified', 'leadContacted', 'opportunityOpened', 'converted', 'firstPaidOrder']

export function checkFunnel(m: Model, a: Actor, label: string, d: any): void {
  const steps = d.steps as { step: string; count: number }[]
  if (!isDeepStrictEqual(steps.map((s) => s.step), STEPS)) fail(`${label}: steps ${JSON.stringify(steps.map((s) => s.step))}`)
  const want = expectedFunnel(m, a)
  const have = { submitted: steps[0].count, consented: steps[1].count }
  if (!isDeepStrictEqual(have, want)) fail(`${label}: ${JSON.stringify(have)}, model ${JSON.stringify(want)}`)
  // The cohort view never rises down the funnel.
  for (let i = 1; i < steps.length; i++) if (steps[i].count > steps[i - 1].count) fail(`${label}: ${steps[i].step} ${steps[i].count} > ${steps[i - 1].step} ${steps[i - 1].count}`)
}

export function checkLeaderboard(m: Model, a: Actor, label: string, d: any): void {
  const board = expectedLeaderboard(m, a)
  if (a.role === 'referrer') {
    const mine = board.get(a.referrerId!)
    // A deleted referrer's token: what it may still see is not the model's business here.
    if (mine === undefined) return
    const me = d.me
    if (!me || me.referrer.id !== a.referrerId || me.referrals !== mine || me.rank !== rankOf(board, mine)) {
      fail(`${label}: me ${JSON.stringify(me)}, model referrals ${mine} rank ${rankOf(board, mine)}`)
    }
    for (const r of d.rows as { referrer: { id: string | null; code: string | null } }[]) {
      if (r.referrer.id !== null && r.referrer.id !== a.referrerId) fail(`${label}: another referrer's id ${r.referrer.id} shown to a referrer token`)
    }
    return
  }
  if (d.me !== null) fail(`${label}: staff get me: null, got ${JSON.stringify(d.me)}`)
  const rows = d.rows as { rank: number; referrer: { id: string }; referrals: number }[]
  for (const r of rows) {
    const n = board.get(r.referrer.id)
    if (n === undefined) fail(`${label}: referrer ${r.referrer.id} ranked but deleted or outside reach per the model`)
    if (r.referrals !== n || r.rank !== rankOf(board, n!)) fail(`${label}: ${r.referrer.id} rank ${r.rank} referrals ${r.referrals}, model rank ${rankOf(board, n!)} referrals ${n}`)
  }
  for (const [id, n] of board) {
    if (n > 0 && !rows.some((r) => r.referrer.id === id)) fail(`${label}: referrer ${id} with ${n} referrals not ranked`)
  }
}

export function checkKpis(m: Model, a: Actor, label: string, d: any): void {
  const want = expectedKpis(m, a)
  const have = {
    leadConversionRate: d.leadConversionRate.value, activeReferrers: d.activeReferrers.value,
    repurchaseRate: d.repurchaseRate.value, customersPerRep: d.customersPerRep.value
  }
  if (!isDeepStrictEqual(have, want)) fail(`${label}: ${JSON.stringify(have)}, model ${JSON.stringify(want)}`)
  // Nothing happened before the run began: the previous period is empty.
  const previous = { leadConversionRate: null, activeReferrers: 0, repurchaseRate: null, customersPerRep: null }
  for (const [k, p] of Object.entries(previous)) {
    const kpi = d[k]
    const change = kpi.value === null || p === null ? null : kpi.value - p
    if (kpi.previous !== p || kpi.change !== change) fail(`${label}: ${k} previous ${kpi.previous} change ${kpi.change}, model ${p} and ${change}`)
  }
  if (d.satisfaction.value !== null) fail(`${label}: satisfaction ${d.satisfaction.value}, there are no surveys`)
}
