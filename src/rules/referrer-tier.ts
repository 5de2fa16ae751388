/**
 * Referrer tier (推荐人等级) from converted referrals in a trailing window as of `asOf`:
 * the highest tier whose `minConversions` the count reaches. Tier names are free text and are
 * what incentive rules match on (`referrerTiers`, `tierMultipliers`), so the default starts at
 * `standard`, the referrers table's default, rather than a new name.
 * Window: [asOf − days·24h, asOf], both ends inclusive, like RFM's; `days: null` counts all time.
 */
import { DAY_MS } from './rfm.js'

export type ReferrerTierLevel = { tier: string; minConversions: number }
export type ReferrerTierConfig = { windowDays: number | null; tiers: readonly ReferrerTierLevel[] }
export type ReferrerTierDecision = {
  tier: string
  conversions: number
  /** The next tier up and how many more conversions it needs; null at the top. */
  next: { tier: string; needed: number } | null
  explanation: string
}

export const defaultReferrerTierConfig: ReferrerTierConfig = {
  windowDays: 365,
  tiers: [{ tier: 'standard', minConversions: 0 }, { tier: 'silver', minConversions: 3 }, { tier: 'gold', minConversions: 10 }]
}

/** Why a config is unusable; empty when fine. A tier at 0 makes every count land somewhere. */
export function referrerTierConfigProblems(config: ReferrerTierConfig): string[] {
  const problems: string[] = []
  const { windowDays, tiers } = config
  if (windowDays !== null && (!Number.isSafeInteger(windowDays) || windowDays < 1)) {
    problems.push(`windowDays must be a positive whole number or null (all time), not ${windowDays}`)
  }
  if (!tiers.length) return [...problems, 'at least one tier is needed']
  for (const t of tiers) {
    if (t.tier.trim() === '') problems.push('every tier needs a name')
    if (!Number.isSafeInteger(t.minConversions) || t.minConversions < 0) {
      problems.push(`tier ${t.tier}: minConversions must be a whole number of 0 or more, not ${t.minConversions}`)
    }
  }
  const names = tiers.map((t) => t.tier)
  const mins = tiers.map((t) => t.minConversions)
  if (new Set(names).size !== names.length) problems.push('tier names must be unique')
  if (new Set(mins).size !== mins.length) problems.push('no two tiers may share minConversions')
  if (!mins.includes(0)) problems.push('one tier must start at 0 conversions')
  return problems
}

/** Conversions (their times) that fall in the config's window as of `asOf`. */
export function conversionsInWindow(convertedAt: readonly Date[], windowDays: number | null, asOf: Date): number {
  const end = asOf.getTime()
  const start = windowDays === null ? -Infinity : end - windowDays * DAY_MS
  return convertedAt.filter((d) => d.getTime() <= end && d.getTime() >= start).length
}

/** The tier for a count of conversions already in the window. */
export function referrerTierForCount(conversions: number, config: ReferrerTierConfig = defaultReferrerTierConfig): ReferrerTierDecision {
  const levels = [...config.tiers].sort((a, b) => a.minConversions - b.minConversions)
  let at = levels.findLastIndex((l) => l.minConversions <= conversions)
  // A config without a tier at 0 is refused by referrerTierConfigProblems; fall back to the lowest.
  if (at < 0) at = 0
  const level = levels[at]
  const up = levels[at + 1]
  const next = up ? { tier: up.tier, needed: up.minConversions - conversions } : null
  const window = config.windowDays === null ? 'all time' : `the last ${config.windowDays} days`
  const more = next ? `; ${next.needed} more for ${next.tier}` : ''
  return { tier: level.tier, conversions, next, explanation: `${level.tier}: ${conversions} converted referral(s) in ${window} (${level.tier} from ${level.minConversions})${more}` }
}

/** The referrer's tier as of `asOf` from the times their referrals converted. */
export const referrerTier = (convertedAt: readonly Date[], asOf: Date, config: ReferrerTierConfig = defaultReferrerTierConfig): ReferrerTierDecision =>
  referrerTierForCount(conversionsInWindow(convertedAt, config.windowDays, asOf), config)
