/**
 * Frequency caps on marketing messages (docs/guardrails.md): per customer across all
 * channels and per customer on one channel kind, over a rolling day (24 h) and week (7 × 24 h).
 * Pure: the caller counts the customer's recent queued, held and sent marketing messages.
 */
export type CapLimits = { day: number; week: number; channelDay: number; channelWeek: number }

export const defaultCapLimits: CapLimits = { day: 1, week: 3, channelDay: 1, channelWeek: 3 }

/** The cap a message would exceed, by the name its `reason` carries. */
export type CapName = 'daily_cap' | 'weekly_cap' | 'channel_daily_cap' | 'channel_weekly_cap'
export type CapHit = { cap: CapName; limit: number; count: number }

/** A customer's marketing messages in the windows: all channels, and per channel kind. */
export type CapCounts = { day: number; week: number; channels: Record<string, { day: number; week: number }> }

export const DAY_MS = 86_400_000
export const WEEK_MS = 7 * DAY_MS

export const emptyCounts = (): CapCounts => ({ day: 0, week: 0, channels: {} })

/** The windows' starts as of `now` (a message counts when created after them). */
export function capWindows(now: Date): { dayFrom: Date; weekFrom: Date } {
  return { dayFrom: new Date(now.getTime() - DAY_MS), weekFrom: new Date(now.getTime() - WEEK_MS) }
}

/** The first cap one more message on `channelKind` would exceed, or null when it may go. */
export function capHit(counts: CapCounts, channelKind: string, limits: CapLimits): CapHit | null {
  const ch = counts.channels[channelKind] ?? { day: 0, week: 0 }
  const checks: [CapName, number, number][] = [
    ['daily_cap', counts.day, limits.day],
    ['weekly_cap', counts.week, limits.week],
    ['channel_daily_cap', ch.day, limits.channelDay],
    ['channel_weekly_cap', ch.week, limits.channelWeek]
  ]
  for (const [cap, count, limit] of checks) if (count >= limit) return { cap, limit, count }
  return null
}

/** Counts with one more message on `channelKind` (in both windows). */
export function countOne(counts: CapCounts, channelKind: string): CapCounts {
  const ch = counts.channels[channelKind] ?? { day: 0, week: 0 }
  return { day: counts.day + 1, week: counts.week + 1, channels: { ...counts.channels, [channelKind]: { day: ch.day + 1, week: ch.week + 1 } } }
}

/**
 * A batch's decisions in order: each message that passes counts against the next ones of
 * the same customer. `counts` holds what each customer already has; a missing customer has none.
 */
export function decideCaps(
  items: readonly { customerId: string; channelKind: string }[], counts: ReadonlyMap<string, CapCounts>, limits: CapLimits
): (CapHit | null)[] {
  const tally = new Map(counts)
  return items.map((item) => {
    const now = tally.get(item.customerId) ?? emptyCounts()
    const hit = capHit(now, item.channelKind, limits)
    if (!hit) tally.set(item.customerId, countOne(now, item.channelKind))
    return hit
  })
}

/** Why a message was capped, for its `reason`: the cap's name. */
export const capReason = (hit: CapHit): CapName => hit.cap
