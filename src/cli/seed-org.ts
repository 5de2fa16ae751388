import type { CopyInto } from './seed-copy.js'
import { copyLine } from './seed-copy.js'
import { DAY_MS, HISTORY_MS, person } from './seed-data.js'
import type { IdMaker } from './seed-ids.js'
import { Rng } from './seed-random.js'

/**
 * The organisation around seeded referrals: sales teams with a manager and reps each,
 * marketing campaigns spread over the seeded history with their costs (campaign_costs)
 * and one incentive rule each (plus one without a campaign), which the seeded rewards
 * name. Small tables: one COPY each, in the caller's transaction.
 */

const TEAM_NAMES = ['华东一组', '华东二组', '华南组', '华北组', '西南组', '华中组', '东北组', '西北组', '大客户组', '渠道组']
const CAMPAIGN_THEMES = ['老带新', '春季焕新', '618 年中', '双十一', '年终回馈', '开学季', '会员日', '新品体验', '企业团购', '国庆长假']
const CAMPAIGN_CHANNELS = ['wechat', 'sms', 'email', 'event', 'app', 'partner'] as const
const COST_CATEGORIES = ['广告投放', '物料制作', '活动场地', 'KOL 合作', '短信推送', '礼品采购'] as const

export const TEAM_COLUMNS = ['id', 'external_id', 'created_at', 'updated_at', 'name'] as const
export const USER_COLUMNS = ['id', 'external_id', 'created_at', 'updated_at', 'name', 'email', 'role', 'team_id', 'active'] as const
export const CAMPAIGN_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'name', 'goal', 'channel', 'description',
  'starts_at', 'ends_at', 'budget_amount', 'budget_currency', 'status', 'owner_id'
] as const
export const COST_COLUMNS = ['id', 'external_id', 'created_at', 'updated_at', 'campaign_id', 'amount', 'currency', 'category', 'incurred_on', 'note'] as const
export const RULE_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'name', 'active', 'campaign_id', 'trigger', 'calc', 'reward_type', 'amount', 'currency', 'approval', 'hold_days'
] as const

export type SeededCampaign = { id: string; startsAt: number; endsAt: number; ruleId: string; reward: number }
export type Org = {
  /** Sales reps (and managers) by team: lead and opportunity owners. */
  teams: string[][]
  campaigns: SeededCampaign[]
  /** The incentive rule of rewards for referrals without a campaign. */
  defaultRuleId: string
  /** Campaign indexes running on each day of the history (day 0 = HISTORY_MS before now). */
  activeByDay: number[][]
  costs: number
}

export type OrgOptions = { users: number; campaigns: number; runId: string; now: number; seed: number; ids: IdMaker }

/** Writes teams, users, campaigns, costs and rules; returns what the referral phase needs. */
export async function seedOrg(copy: CopyInto, o: OrgOptions): Promise<Org> {
  const rng = new Rng(o.seed, 'org')
  const iso = (ms: number) => new Date(ms).toISOString()
  const started = iso(o.now - HISTORY_MS - 30 * DAY_MS)
  // A few teams of about six: a manager and reps each.
  const teamCount = o.users === 0 ? 0 : Math.min(TEAM_NAMES.length, Math.max(1, Math.round(o.users / 6)))
  const teamIds = Array.from({ length: teamCount }, () => o.ids.next())
  await copy('teams', TEAM_COLUMNS, teamIds.map((id, t) => copyLine([id, `seed-${o.runId}-t${t + 1}`, started, started, `${TEAM_NAMES[t]} ${o.runId}`])))
  const teams: string[][] = teamIds.map(() => [])
  const users: string[] = []
  for (let u = 0; u < o.users; u++) {
    const id = o.ids.next()
    const team = u % teamCount
    const role = u < teamCount ? 'manager' : 'sales'
    teams[team].push(id)
    users.push(copyLine([id, `seed-${o.runId}-u${u + 1}`, started, started, person(rng).name, `seed-${o.runId.toLowerCase()}-u${u + 1}@example.com`, role, teamIds[team], true]))
  }
  await copy('users', USER_COLUMNS, users)
  const everyone = teams.flat()

  // Campaigns: starts spread over the history, two weeks to four months each.
  const campaigns: SeededCampaign[] = []
  const campaignLines: string[] = []
  const costLines: string[] = []
  const ruleLines: string[] = []
  for (let c = 0; c < o.campaigns; c++) {
    const id = o.ids.next()
    const startsAt = Math.round(o.now - HISTORY_MS + rng.next() * (HISTORY_MS - 7 * DAY_MS))
    const endsAt = Math.round(startsAt + rng.int(14, 120) * DAY_MS)
    const status = endsAt <= o.now ? 'completed' : 'active'
    const channel = rng.pick(CAMPAIGN_CHANNELS)
    const budget = rng.int(20, 500) * 1_000_000
    const name = `${new Date(startsAt).getUTCFullYear()} ${rng.pick(CAMPAIGN_THEMES)} #${c + 1}`
    const created = iso(startsAt - 7 * DAY_MS)
    campaignLines.push(copyLine([id, `seed-${o.runId}-m${c + 1}`, created, created, name, '推荐获客', channel, `${name}：推荐好友成交得奖励`,
      iso(startsAt), iso(endsAt), budget, 'CNY', status, everyone.length ? rng.pick(everyone) : null]))
    const costs = rng.int(3, 10)
    for (let k = 0; k < costs; k++) {
      const on = Math.min(o.now, startsAt + rng.next() * (endsAt - startsAt))
      const at = iso(on)
      costLines.push(copyLine([o.ids.next(), `seed-${o.runId}-k${c + 1}-${k + 1}`, at, at, id, Math.max(1, Math.round(budget / costs * (0.3 + rng.next()))),
        'CNY', rng.pick(COST_CATEGORIES), at.slice(0, 10), null]))
    }
    const ruleId = o.ids.next()
    const reward = rng.int(5, 50) * 1_000
    ruleLines.push(copyLine([ruleId, `seed-${o.runId}-i${c + 1}`, created, created, `${name} 推荐成交奖励`, status === 'active', id,
      'referral_converted', 'fixed', 'cash', reward, 'CNY', 'manual', 14]))
    campaigns.push({ id, startsAt, endsAt, ruleId, reward })
  }
  const defaultRuleId = o.ids.next()
  ruleLines.push(copyLine([defaultRuleId, `seed-${o.runId}-i0`, started, started, '推荐成交奖励（常规）', true, null,
    'referral_converted', 'fixed', 'cash', 10_000, 'CNY', 'manual', 14]))
  await copy('campaigns', CAMPAIGN_COLUMNS, campaignLines)
  await copy('campaign_costs', COST_COLUMNS, costLines)
  await copy('incentive_rules', RULE_COLUMNS, ruleLines)

  const days = Math.ceil(HISTORY_MS / DAY_MS) + 1
  const activeByDay: number[][] = Array.from({ length: days }, () => [])
  campaigns.forEach((c, index) => {
    for (let d = Math.max(0, dayOf(c.startsAt, o.now)); d <= Math.min(days - 1, dayOf(c.endsAt, o.now)); d++) activeByDay[d].push(index)
  })
  return { teams, campaigns, defaultRuleId, activeByDay, costs: costLines.length }
}

/** The history day of a time (0 = HISTORY_MS before now). */
export function dayOf(at: number, now: number): number {
  return Math.floor((at - (now - HISTORY_MS)) / DAY_MS)
}

/** A campaign running at `at` (about two thirds of the time there is one), or -1. */
export function campaignAt(rng: Rng, org: Org, at: number, now: number): number {
  const roll = rng.next()
  const day = dayOf(at, now)
  const running = day >= 0 && day < org.activeByDay.length ? org.activeByDay[day] : []
  if (running.length === 0 || roll >= 0.65) return -1
  return running[Math.floor((roll / 0.65) * running.length)]
}
