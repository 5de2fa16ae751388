import fc from 'fast-check'
import { isDeepStrictEqual } from 'node:util'
import { Cmd } from './model-command.js'
import {
  expectedCampaign, expectedPipeline, expectedRep, hasFigure, OPEN_STAGES, ownerInReach, reportReach, type StageFigures
} from './model-analytics-expect.js'
import type { Actor, Model } from './model-state.js'
import { checkFunnel, checkKpis, checkLeaderboard, FUNNEL, KPIS, LEADERBOARD } from './model-invariants-referral-reports.js'
import { E, ModelFailure, type Caller, type Outcome, type World } from './model-world.js'

/**
 * The reports against the model: each asked over GraphQL (inline or variables) and REST (and
 * sometimes CSV) for the default period. A role the report refuses gets FORBIDDEN on both; an
 * allowed one gets the same figures on both, and the figures the model can state exactly.
 */
const fail = (msg: string): never => { throw new ModelFailure(msg) }
const MONEY = '{ amount currency }'
const OPEN = `{ stage count amount ${MONEY} weightedAmount ${MONEY} }`
const FIGURES = `leadsAssigned firstResponse { count } followUpDue followUpMet opportunitiesOpened won lost wonAmount ${MONEY} winRate activities customersOwned openPipeline ${OPEN}`
const METRICS = `audienceSize participants referrals leads conversions attributedRevenue ${MONEY} rewardCost ${MONEY} pointsAwarded otherCosts ${MONEY} totalCost ${MONEY}`

export type ReportName = 'pipeline' | 'salesPerformance' | 'campaignPerformance' | 'referralFunnel' | 'referrerLeaderboard' | 'kpis' | 'loyaltyReport'
export const reportNames: ReportName[] = ['pipeline', 'salesPerformance', 'campaignPerformance', 'referralFunnel', 'referrerLeaderboard', 'kpis', 'loyaltyReport']

type Ask = { field: ReportName; args: Record<string, { type: string; value: unknown }>; selection: string; rest: string }

function askFor(report: ReportName, campaignId: string | null): Ask {
  switch (report) {
    case 'pipeline':
      return { field: report, args: {}, rest: '/api/v1/analytics/pipeline',
        selection: `{ period { timeZone bucket } stages { stage count amount ${MONEY} weightedAmount ${MONEY} } conversion { stage entered advanced won lost advanceRate winRate } }` }
    case 'salesPerformance':
      return { field: report, args: {}, rest: '/api/v1/analytics/sales-performance',
        selection: `{ period { timeZone } reps { userId teamId active ${FIGURES} } teams { teamId reps ${FIGURES} } }` }
    case 'referralFunnel':
      return { field: report, args: {}, rest: '/api/v1/analytics/referral-funnel', selection: FUNNEL }
    case 'referrerLeaderboard':
      return { field: report, args: { rankBy: { type: 'LeaderboardRankBy', value: E('referrals') }, first: { type: 'Int', value: 200 } },
        rest: '/api/v1/analytics/referrer-leaderboard?rankBy=referrals&first=200', selection: LEADERBOARD }
    case 'kpis':
      return { field: report, args: {}, rest: '/api/v1/analytics/kpis', selection: KPIS }
    case 'loyaltyReport':
      return { field: report, args: {}, rest: '/api/v1/analytics/loyalty', selection: LOYALTY }
    case 'campaignPerformance':
      return { field: report, args: { id: { type: 'ID!', value: campaignId } }, rest: `/api/v1/analytics/campaign-performance?campaignId=${campaignId}`,
        selection: `{ campaign { id } metrics { ${METRICS} } byChannel { channel referrals conversions } byBucket { key referrals leads conversions otherCosts ${MONEY} } }` }
  }
}

/** The REST answer cut down to the fields the GraphQL selection asked for. */
function project(rest: unknown, shape: unknown): unknown {
  if (Array.isArray(shape)) return Array.isArray(rest) ? rest.map((x, i) => project(x, shape[i] ?? shape[0])) : rest
  if (shape && typeof shape === 'object') {
    if (!rest || typeof rest !== 'object') return rest
    return Object.fromEntries(Object.keys(shape).map((k) => [k, project((rest as Record<string, unknown>)[k], (shape as Record<string, unknown>)[k])]))
  }
  return rest
}

const cny = (list: { amount: number; currency: string }[] | undefined) => list?.find((x) => x.currency === 'CNY')?.amount ?? 0
const moneyMap = (list: { amount: number; currency: string }[]) => Object.fromEntries(list.filter((x) => x.amount !== 0).map((x) => [x.currency, x.amount]))

function checkStages(label: string, got: { stage: string; count: number; amount: any[]; weightedAmount: any[] }[], want: StageFigures[]): void {
  const seen = got.map((s) => s.stage)
  if (!isDeepStrictEqual(seen, [...OPEN_STAGES])) fail(`${label}: stages ${JSON.stringify(seen)}, expected the four open stages in order`)
  for (const w of want) {
    const s = got.find((x) => x.stage === w.stage)!
    const have = { stage: s.stage, count: s.count, cny: cny(s.amount), weightedCny: cny(s.weightedAmount) }
    if (!isDeepStrictEqual(have, w)) fail(`${label}: open ${w.stage} ${JSON.stringify(have)}, model ${JSON.stringify(w)}`)
  }
}

function checkPipeline(m: Model, a: Actor, label: string, d: any): void {
  const want = expectedPipeline(m, a)
  checkStages(label, d.stages, want.stages)
  for (const c of want.conversion) {
    const g = d.conversion.find((x: { stage: string }) => x.stage === c.stage)
    const have = g && { stage: g.stage, entered: g.entered, advanced: g.advanced, won: g.won, lost: g.lost }
    if (!isDeepStrictEqual(have, c)) fail(`${label}: conversion ${c.stage} ${JSON.stringify(have)}, model ${JSON.stringify(c)}`)
  }
}

function checkSales(m: Model, a: Actor, label: string, d: any): void {
  const rows = new Map<string, any>(d.reps.map((r: { userId: string }) => [r.userId, r]))
  const teamSums = new Map<string | null, number>()
  for (const u of m.actors) {
    if (!u.userId) continue
    const row = rows.get(u.userId)
    if (!ownerInReach(m, a, u.userId)) {
      if (row) fail(`${label}: rep ${u.name} is outside the caller's reach but listed`)
      continue
    }
    const want = expectedRep(m, u.userId)
    teamSums.set(u.teamId, (teamSums.get(u.teamId) ?? 0) + want.customersOwned)
    if (!row) {
      if (['sales', 'manager'].includes(u.role) || hasFigure(want)) fail(`${label}: rep ${u.name} missing (figures ${JSON.stringify(want)})`)
      continue
    }
    if (row.teamId !== u.teamId) fail(`${label}: rep ${u.name} in team ${row.teamId}, model ${u.teamId}`)
    const have = { leadsAssigned: row.leadsAssigned, opportunitiesOpened: row.opportunitiesOpened, won: row.won, lost: row.lost, wonCny: cny(row.wonAmount),
      activities: row.activities, customersOwned: row.customersOwned }
    const { open, ...counts } = want
    if (!isDeepStrictEqual(have, counts)) fail(`${label}: rep ${u.name} ${JSON.stringify(have)}, model ${JSON.stringify(counts)}`)
    checkStages(`${label}: rep ${u.name}`, row.openPipeline, open)
  }
  // A team row sums its listed reps: the model's teams hold only the model's users.
  for (const t of d.teams as { teamId: string | null; customersOwned: number }[]) {
    if (t.teamId === null || !teamSums.has(t.teamId)) continue
    if (t.customersOwned !== teamSums.get(t.teamId)) fail(`${label}: team ${t.teamId} customersOwned ${t.customersOwned}, model ${teamSums.get(t.teamId)}`)
  }
}

const metricsOf = (x: any) => ({ participants: x.participants, referrals: x.referrals, leads: x.leads, conversions: x.conversions,
  attributedRevenue: moneyMap(x.attributedRevenue), otherCosts: moneyMap(x.otherCosts) })

function checkCampaign(m: Model, a: Actor, label: string, campaignId: string, d: any): void {
  const want = expectedCampaign(m, a, campaignId)
  const x = d.metrics
  const have = metricsOf(x)
  if (!isDeepStrictEqual(have, want)) fail(`${label}: metrics ${JSON.stringify(have)}, model ${JSON.stringify(want)}`)
  if (x.audienceSize !== null) fail(`${label}: audienceSize ${x.audienceSize} for a campaign without an audience`)
  // The series and the channels add up to the totals.
  const sum = (list: any[], k: string) => list.reduce((n, e) => n + e[k], 0)
  for (const k of ['referrals', 'conversions']) {
    if (sum(d.byChannel, k) !== x[k] || sum(d.byBucket, k) !== x[k]) fail(`${label}: ${k} by channel / by bucket do not add up to ${x[k]}`)
  }
  if (d.byBucket.length !== 30) fail(`${label}: ${d.byBucket.length} day buckets in the default period, expected 30`)
}

/** One report by one caller: FORBIDDEN where the role may not read it; else REST = GraphQL and the model's figures. */
export async function checkReport(w: World, m: Model, c: Caller, a: Actor, report: ReportName, campaignPick: number, inline: boolean, csv: boolean): Promise<void> {
  const campaign = report === 'campaignPerformance' ? pickCampaign(m, campaignPick) : null
  if (report === 'campaignPerformance' && !campaign) return
  const ask = askFor(report, campaign?.id ?? null)
  const label = `${c.name} ${report}${campaign ? ` of campaign ${campaign.id}${campaign.deleted ? ' (deleted)' : ''}` : ''}`
  const gql = await w.gql(c, 'query', ask.field, ask.args, ask.selection, inline)
  const rest = await w.rest(c, 'GET', ask.rest)
  // Referrer tokens read only the leaderboard.
  if (reportReach(a) === 'forbidden' && report !== 'referrerLeaderboard') {
    for (const [how, out] of [['GraphQL', gql], ['REST', rest]] as [string, Outcome][]) {
      if (out.kind !== 'refused' || out.code !== 'FORBIDDEN') fail(`${label} over ${how}: expected FORBIDDEN, got ${JSON.stringify(out).slice(0, 300)}`)
    }
    return
  }
  if (campaign?.deleted) {
    if (gql.kind !== 'ok' || gql.data !== null) fail(`${label}: a deleted campaign's performance must be null, got ${JSON.stringify(gql).slice(0, 300)}`)
    if (rest.kind !== 'refused' || rest.code !== 'NOT_FOUND') fail(`${label}: REST must be 404, got ${JSON.stringify(rest).slice(0, 300)}`)
    return
  }
  if (gql.kind !== 'ok' || gql.data === null) return fail(`${label} over GraphQL: ${JSON.stringify(gql).slice(0, 400)}`)
  if (rest.kind !== 'ok' || rest.status !== 200) return fail(`${label} over REST: ${JSON.stringify(rest).slice(0, 400)}`)
  const cut = project(rest.data, gql.data)
  if (!isDeepStrictEqual(cut, gql.data)) fail(`${label}: REST and GraphQL differ:\nREST ${JSON.stringify(cut).slice(0, 1500)}\nGraphQL ${JSON.stringify(gql.data).slice(0, 1500)}`)
  if (report === 'pipeline') checkPipeline(m, a, label, gql.data)
  if (report === 'salesPerformance') checkSales(m, a, label, gql.data)
  if (report === 'referralFunnel') checkFunnel(m, a, label, gql.data)
  if (report === 'referrerLeaderboard') checkLeaderboard(m, a, label, gql.data)
  if (report === 'kpis') checkKpis(m, a, label, gql.data)
  if (report === 'loyaltyReport') await checkLoyalty(w, m, a, label, gql.data)
  if (campaign) {
    checkCampaign(m, a, label, campaign.id, gql.data)
    await checkComparison(w, m, c, a, campaign.id, campaignPick, inline)
  }
  if (csv && report === 'pipeline') await checkPipelineCsv(w, m, c, a, label)
}

/**
 * campaignComparison of the campaign and another (REST and GraphQL): each one's totals are the
 * model's; any deleted campaign makes it NOT_FOUND.
 */
async function checkComparison(w: World, m: Model, c: Caller, a: Actor, id: string, n: number, inline: boolean): Promise<void> {
  const ids = [...new Set([id, pickCampaign(m, n + 1)!.id])]
  const label = `${c.name} campaignComparison of ${ids.join(', ')}`
  const gql = await w.gql(c, 'query', 'campaignComparison', { ids: { type: '[ID!]!', value: ids } }, `{ campaigns { campaign { id } metrics { ${METRICS} } } }`, !inline)
  const rest = await w.rest(c, 'GET', `/api/v1/analytics/campaign-comparison?ids=${ids.join(',')}`)
  if (ids.some((x) => m.campaigns.get(x)!.deleted)) {
    for (const [how, out] of [['GraphQL', gql], ['REST', rest]] as [string, Outcome][]) {
      if (out.kind !== 'refused' || out.code !== 'NOT_FOUND') fail(`${label} over ${how}: a deleted campaign must be NOT_FOUND, got ${JSON.stringify(out).slice(0, 300)}`)
    }
    return
  }
  if (gql.kind !== 'ok' || rest.kind !== 'ok') return fail(`${label}: ${JSON.stringify([gql, rest]).slice(0, 600)}`)
  const cut = project(rest.data, gql.data)
  if (!isDeepStrictEqual(cut, gql.data)) fail(`${label}: REST and GraphQL differ:\nREST ${JSON.stringify(cut).slice(0, 1500)}\nGraphQL ${JSON.stringify(gql.data).slice(0, 1500)}`)
  const got = gql.data.campaigns as { campaign: { id: string }; metrics: any }[]
  if (!isDeepStrictEqual(got.map((e) => e.campaign.id), ids)) fail(`${label}: campaigns ${JSON.stringify(got.map((e) => e.campaign.id))}, asked ${JSON.stringify(ids)}`)
  for (const e of got) {
    const want = expectedCampaign(m, a, e.campaign.id)
    if (!isDeepStrictEqual(metricsOf(e.metrics), want)) fail(`${label}: ${e.campaign.id} ${JSON.stringify(metricsOf(e.metrics))}, model ${JSON.stringify(want)}`)
  }
  // Campaign.metrics on a page of campaigns (one statement for the page): the same totals.
  const page = await w.gql(c, 'query', 'campaigns', { first: { type: 'Int', value: 20 } }, `{ edges { node { id metrics { ${METRICS} } } } }`, inline)
  if (page.kind !== 'ok') return fail(`${c.name} campaigns with metrics: ${page.detail}`)
  for (const { node } of page.data.edges as { node: { id: string; metrics: any } }[]) {
    const want = expectedCampaign(m, a, node.id)
    if (!isDeepStrictEqual(metricsOf(node.metrics), want)) fail(`${c.name} Campaign.metrics of ${node.id}: ${JSON.stringify(metricsOf(node.metrics))}, model ${JSON.stringify(want)}`)
  }
}

function pickCampaign(m: Model, n: number) {
  const list = [...m.campaigns.values()]
  return list.length ? list[n % list.length] : undefined
}

/** The pipeline CSV: one row per stage × currency (one empty-currency row for an empty stage), the stage's count on each. */
async function checkPipelineCsv(w: World, m: Model, c: Caller, a: Actor, label: string): Promise<void> {
  const res = await w.ctx.rest(c.token, 'GET', '/api/v1/analytics/pipeline?format=csv')
  if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/csv')) fail(`${label} CSV: ${res.statusCode} ${res.headers['content-type']}`)
  if (!res.body.startsWith('\uFEFF')) fail(`${label} CSV: no byte order mark`)
  const [header, ...lines] = res.body.slice(1).split('\r\n').filter((l) => l.length > 0).map((l) => l.split(','))
  const col = (name: string) => header.indexOf(name)
  const want = expectedPipeline(m, a)
  for (const s of want.stages) {
    const mine = lines.filter((l) => l[col('stage')] === s.stage)
    if (!mine.length || mine.some((l) => Number(l[col('count')]) !== s.count)) fail(`${label} CSV: ${s.stage} rows ${JSON.stringify(mine)}, model count ${s.count}`)
    const cnyRow = mine.find((l) => l[col('currency')] === 'CNY')
    if (Number(cnyRow?.[col('amount')] ?? 0) !== s.cny) fail(`${label} CSV: ${s.stage} CNY amount ${cnyRow?.[col('amount')]}, model ${s.cny}`)
  }
}

const POINTS = 'openingLiability issued redeemed expired adjustedDown reversed net liability'
const LOYALTY = `{ period { timeZone } points { totals { customers { ${POINTS} } referrers { ${POINTS} } total { ${POINTS} } } buckets { key total { liability } } }
  coupons { totals { issued redeemed } } levels { total byLevel { key customers } } }`

/**
 * The loyalty report: the points liability of the period that reaches now is the sum of the
 * balances of the accounts in reach, and of their lots' remainders (the ledger's own invariant,
 * seen through the report); every live customer in reach is counted at one level.
 */
async function checkLoyalty(w: World, m: Model, a: Actor, label: string, d: any): Promise<void> {
  const accounts = await w.sql<{ holder: 'customer' | 'referrer'; customer_id: string | null; referrer_id: string | null; balance: string; lots: string }>(
    `select a.holder_type as holder, a.customer_id::text, a.referrer_id::text, a.balance::text,
      (select coalesce(sum(l.remaining), 0) from points_lots l where l.account_id = a.id)::text as lots from points_accounts a`)
  const sums = { customer: { balance: 0, lots: 0 }, referrer: { balance: 0, lots: 0 } }
  for (const x of accounts) {
    const owner = x.customer_id ? m.customers.get(x.customer_id)?.ownerId : m.referrers.get(x.referrer_id!)?.ownerId
    if (!ownerInReach(m, a, owner)) continue
    sums[x.holder].balance += Number(x.balance)
    sums[x.holder].lots += Number(x.lots)
  }
  const t = d.points.totals
  const have = { customer: t.customers.liability, referrer: t.referrers.liability, total: t.total.liability }
  const want = { customer: sums.customer.balance, referrer: sums.referrer.balance, total: sums.customer.balance + sums.referrer.balance }
  if (!isDeepStrictEqual(have, want)) fail(`${label}: points liability ${JSON.stringify(have)}, balances in reach ${JSON.stringify(want)}`)
  if (sums.customer.lots !== sums.customer.balance || sums.referrer.lots !== sums.referrer.balance) fail(`${label}: lots ${JSON.stringify(sums)} do not add up to the balances`)
  for (const f of [t.customers, t.referrers, t.total]) {
    if (f.liability !== f.openingLiability + f.issued - f.redeemed - f.expired - f.adjustedDown - f.reversed) fail(`${label}: liability ${JSON.stringify(f)} is not opening + movements`)
  }
  if (d.points.buckets.length !== 30 || d.points.buckets.at(-1).total.liability !== t.total.liability) fail(`${label}: ${d.points.buckets.length} buckets, the last not ending at the liability`)
  const live = [...m.customers.values()].filter((c) => !c.deleted && !c.merged && ownerInReach(m, a, c.ownerId)).length
  const counted = (d.levels.byLevel as { customers: number }[]).reduce((s, l) => s + l.customers, 0)
  if (d.levels.total !== live || counted !== live) fail(`${label}: levels count ${d.levels.total} (by level ${counted}), model ${live} live customers in reach`)
}

/** A report read by any caller (referrer tokens too). */
export class ReportCheck extends Cmd {
  constructor(readonly caller: number, readonly report: ReportName, readonly campaign: number, readonly inline: boolean, readonly csv: boolean) { super() }
  check(m: Readonly<Model>) { return this.report !== 'campaignPerformance' || m.campaigns.size > 0 }
  toString() { return `${this.report}(caller #${this.caller}${this.report === 'campaignPerformance' ? `, campaign #${this.campaign}` : ''}, ${this.inline ? 'inline' : 'vars'}${this.csv ? ', CSV' : ''})` }
  async exec(m: Model, w: World) {
    const a = m.actors[this.caller % m.actors.length]
    await checkReport(w, m, w.caller(a.name), a, this.report, this.campaign, this.inline, this.csv)
  }
}

export const reportCommands = [
  fc.tuple(fc.nat(30), fc.constantFrom(...reportNames), fc.nat(10), fc.boolean(), fc.boolean())
    .map(([c, r, k, i, v]) => new ReportCheck(c, r, k, i, v))
]
