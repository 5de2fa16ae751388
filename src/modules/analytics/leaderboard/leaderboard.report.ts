import { Type, type Static } from '@sinclair/typebox'
import { sql } from 'drizzle-orm'
import { invalid } from '../../../errors.js'
import { Currency, MoneyView, Nullable, StringEnum, Uuid } from '../../common/schemas.js'
import { referrerKinds } from '../../referrers/referrers.schemas.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'
import { periodView, ReportPeriodView } from '../analytics.views.js'
import type { CsvTable } from '../analytics.csv.js'
import { leaderboardRows, rankByValues, unrankedReferrer, type LeaderboardRow, type RankBy } from './leaderboard.sql.js'

export const LEADERBOARD_DEFAULT_FIRST = 10
export const LEADERBOARD_MAX_FIRST = 200

/** What GraphQL and REST pass: the ranking figure and the filters (docs/analytics.md, "Referrer leaderboard"). */
export type LeaderboardArgs = {
  rankBy?: RankBy | null
  currency?: string | null
  referrerKind?: string | null
  referrerTier?: string | null
  campaignId?: string | null
  first?: number | null
}

const LeaderboardQuery = Type.Object({
  rankBy: Type.Optional(StringEnum(rankByValues, 'What ranks (default conversions)')),
  currency: Type.Optional(Currency),
  referrerKind: Type.Optional(StringEnum(referrerKinds)),
  referrerTier: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  campaignId: Type.Optional(Uuid),
  first: Type.Optional(Type.Integer({ minimum: 1, maximum: LEADERBOARD_MAX_FIRST, description: 'How many of the top to list (default 10)' }))
})

const ReferrerView = Type.Object({
  id: Nullable(Type.String()), name: Type.String(), code: Nullable(Type.String()), kind: Type.String(), tier: Type.String()
})
const RowView = Type.Object({
  rank: Type.Integer(), referrer: ReferrerView, conversions: Type.Integer(), referrals: Type.Integer(),
  revenue: Type.Array(MoneyView), rewards: Type.Array(MoneyView), rewardPoints: Type.Integer()
})
const LeaderboardView = Type.Object({
  period: ReportPeriodView, rankBy: Type.String(), currency: Type.String(), rankedCount: Type.Integer(),
  rows: Type.Array(RowView), me: Nullable(RowView)
})
type Row = Static<typeof RowView>
export type Leaderboard = Omit<Static<typeof LeaderboardView>, 'period'> & { period: ReturnType<typeof periodView> }

/** A name as other referrers see it: its first character and two asterisks (张三丰 → 张**). */
export function maskName(name: string): string {
  return `${Array.from(name.trim())[0] ?? ''}**`
}

function rowView(r: Omit<LeaderboardRow, 'position'>, masked: boolean): Row {
  return {
    rank: r.rank,
    referrer: masked
      ? { id: null, name: maskName(r.name), code: null, kind: r.kind, tier: r.tier }
      : { id: r.id, name: r.name, code: r.code, kind: r.kind, tier: r.tier },
    conversions: r.conversions, referrals: r.referrals, revenue: r.revenue, rewards: r.rewards, rewardPoints: r.rewardPoints
  }
}

function checked(args: LeaderboardArgs) {
  const first = args.first ?? LEADERBOARD_DEFAULT_FIRST
  if (!Number.isInteger(first) || first < 1 || first > LEADERBOARD_MAX_FIRST) throw invalid('first', `must be between 1 and ${LEADERBOARD_MAX_FIRST}`)
  const currency = args.currency ?? 'CNY'
  if (!/^[A-Z]{3}$/.test(currency)) throw invalid('currency', 'must be an ISO 4217 code such as CNY')
  if (args.campaignId != null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(args.campaignId)) throw invalid('campaignId', 'must be a UUID')
  const rankBy = args.rankBy ?? 'conversions'
  if (!rankByValues.includes(rankBy)) throw invalid('rankBy', `must be one of ${rankByValues.join(', ')}`)
  return { first, currency, rankBy }
}

async function run(ctx: ReportContext, args: LeaderboardArgs): Promise<Leaderboard> {
  const { first, currency, rankBy } = checked(args)
  const self = ctx.reach === 'self' ? ctx.actor.referrerId : null
  // A referrer token sees the whole board (masked); staff with team reach, the referrers their team owns.
  const scope = self ? sql`true` : ownerScope(ctx.actor, ctx.reach, sql`f.owner_id`)
  const filter = {
    rankBy, currency, first, me: self, scope,
    referrerKind: args.referrerKind ?? null, referrerTier: args.referrerTier ?? null, campaignId: args.campaignId ?? null
  }
  const found = await leaderboardRows(ctx.deps.db, ctx.period, filter)
  const top = found.rows.filter((r) => r.position <= first)
  let me: Row | null = null
  if (self) {
    const own = found.rows.find((r) => r.id === self)
    if (own) me = rowView(own, false)
    else {
      const idle = await unrankedReferrer(ctx.deps.db, self, filter.referrerKind, filter.referrerTier)
      // Nothing in the period: its figure is 0, so it ranks just after everyone above 0.
      if (idle) me = rowView({ ...idle, rank: found.aboveZero + 1 }, false)
    }
  }
  return {
    period: periodView(ctx.period), rankBy, currency, rankedCount: found.ranked,
    rows: top.map((r) => rowView(r, self !== null && r.id !== self)), me
  }
}

const moneyCell = (list: { amount: number; currency: string }[], currency: string) => list.find((m) => m.currency === currency)?.amount ?? 0

function csv(result: Leaderboard): CsvTable {
  const all = [...result.rows.map((r) => ['top', r] as const), ...(result.me ? [['me', result.me] as const] : [])]
  const currencies = (pick: (r: Row) => { currency: string }[]) => [...new Set(all.flatMap(([, r]) => pick(r).map((m) => m.currency)))].sort()
  const revenue = currencies((r) => r.revenue), rewards = currencies((r) => r.rewards)
  return {
    columns: ['row', 'rank', 'referrerId', 'name', 'code', 'kind', 'tier', 'conversions', 'referrals',
      ...revenue.map((c) => `revenue_${c}`), ...rewards.map((c) => `rewards_${c}`), 'rewardPoints'],
    rows: all.map(([section, r]) => [section, r.rank, r.referrer.id, r.referrer.name, r.referrer.code, r.referrer.kind, r.referrer.tier,
      r.conversions, r.referrals, ...revenue.map((c) => moneyCell(r.revenue, c)), ...rewards.map((c) => moneyCell(r.rewards, c)), r.rewardPoints])
  }
}

/** 推荐人排行榜: referrers ranked by conversions, attributed revenue, referrals or rewards earned. */
export const referrerLeaderboard: ReportDefinition<typeof LeaderboardQuery, LeaderboardArgs, Leaderboard> = {
  name: 'referrer-leaderboard',
  summary: 'Referrers ranked by conversions, attributed revenue, referrals or rewards in the period (competition ranking); a referrer token sees masked names and its own rank',
  query: LeaderboardQuery,
  response: LeaderboardView,
  referrerAllowed: true,
  fromQuery: (q) => ({ ...q }),
  run,
  csv
}
