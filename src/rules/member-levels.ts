/**
 * Member levels (会员等级): pure, time is an argument. The reference is docs/loyalty.md
 * ("Member levels").
 *
 * A level qualifies from the customer's facts over the level's own trailing window of
 * `windowMonths` months (now − windowMonths ≤ t ≤ now): `spend`, the net paid spend of its
 * orders, and `points`, the points it earned. A level with thresholds qualifies when `any`
 * (or `all`) of them are reached; a level without thresholds is the base every customer
 * qualifies for. Only active levels qualify.
 *
 * On any occasion (an order, a points credit, the review) a customer moves UP at once to
 * the highest qualifying level, and its review date becomes `reachedAt + reviewMonths` of
 * that level. It never moves down mid-period: only the review, once `now ≥ reviewAt`, moves
 * it to the highest qualifying level below (a downgrade), or keeps it with a new review
 * date `now + reviewMonths` when it still qualifies (a renewal). The base level has no review.
 */

export type LevelMatch = 'any' | 'all'

export type MemberLevel = {
  id: string
  key: string
  rank: number
  minSpend: number | null
  minPoints: number | null
  match: LevelMatch
  windowMonths: number
  reviewMonths: number
  active: boolean
}

/** Net paid spend (minor units) and points earned, over one trailing window. */
export type LevelFacts = { spend: number; points: number }
/** The facts per window length in months (every active level's windowMonths must be there). */
export type FactsByWindow = Readonly<Record<number, LevelFacts>>

export type CurrentLevel = { levelId: string; reachedAt: Date; reviewAt: Date | null }

export type Occasion = 'activity' | 'review'

export type LevelDecision =
  | { kind: 'keep'; levelId: string; explanation: string }
  | { kind: 'upgrade' | 'downgrade' | 'renewal'; fromLevelId: string | null; toLevelId: string; reachedAt: Date; reviewAt: Date | null; explanation: string }

/** `at` plus `months` calendar months, in UTC; 31 January + 1 month is the last day of February. Negative months go back. */
export function addMonths(at: Date, months: number): Date {
  const out = new Date(at.getTime())
  const day = out.getUTCDate()
  out.setUTCDate(1)
  out.setUTCMonth(out.getUTCMonth() + months)
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate()
  out.setUTCDate(Math.min(day, last))
  return out
}

/** Where a trailing window of `months` starts, as of `now` (inclusive). */
export const windowStart = (now: Date, months: number): Date => addMonths(now, -months)

export const isBase = (level: Pick<MemberLevel, 'minSpend' | 'minPoints'>): boolean => level.minSpend === null && level.minPoints === null

/** The distinct window lengths the active levels with thresholds look at. */
export function windowsOf(levels: readonly MemberLevel[]): number[] {
  return [...new Set(levels.filter((l) => l.active && !isBase(l)).map((l) => l.windowMonths))].sort((a, b) => a - b)
}

/** Whether `level` qualifies on `facts` (its window's), and why in a clause. */
export function qualifies(level: MemberLevel, facts: LevelFacts): { ok: boolean; why: string } {
  if (isBase(level)) return { ok: true, why: `${level.key} has no threshold` }
  const parts: { ok: boolean; text: string }[] = []
  if (level.minSpend !== null) parts.push({ ok: facts.spend >= level.minSpend, text: `spend ${facts.spend} ${facts.spend >= level.minSpend ? '≥' : '<'} ${level.minSpend}` })
  if (level.minPoints !== null) parts.push({ ok: facts.points >= level.minPoints, text: `points ${facts.points} ${facts.points >= level.minPoints ? '≥' : '<'} ${level.minPoints}` })
  const ok = level.match === 'all' ? parts.every((p) => p.ok) : parts.some((p) => p.ok)
  return { ok, why: `${level.key} (${level.match} over ${level.windowMonths} months): ${parts.map((p) => p.text).join(', ')}` }
}

const NONE: LevelFacts = { spend: 0, points: 0 }

/** The base level: the active level of lowest rank (the service keeps rank 0 active and threshold-free). */
export function baseLevel(levels: readonly MemberLevel[]): MemberLevel | undefined {
  return levels.filter((l) => l.active).sort((a, b) => a.rank - b.rank)[0]
}

/** The highest-ranked active level that qualifies (the base when none above it does). */
export function highestQualifying(levels: readonly MemberLevel[], facts: FactsByWindow): { level: MemberLevel | undefined; why: string[] } {
  const why: string[] = []
  let best: MemberLevel | undefined
  for (const level of [...levels].filter((l) => l.active).sort((a, b) => b.rank - a.rank)) {
    const q = qualifies(level, facts[level.windowMonths] ?? NONE)
    why.push(`${q.ok ? 'qualifies' : 'does not qualify'}: ${q.why}`)
    if (q.ok) { best = level; break }
  }
  return { level: best ?? baseLevel(levels), why }
}

/** When a level reached at `reachedAt` is reviewed: never for the base level. */
export function reviewDate(level: MemberLevel, base: MemberLevel | undefined, reachedAt: Date): Date | null {
  return base && level.id === base.id ? null : addMonths(reachedAt, level.reviewMonths)
}

/**
 * What happens to a customer's level on `occasion` at `now`. `current` null: the customer
 * has never had a level (it is at the base). A current level no longer in `levels` counts
 * as the base's rank.
 */
export function evaluate(levels: readonly MemberLevel[], current: CurrentLevel | null, facts: FactsByWindow, now: Date, occasion: Occasion): LevelDecision {
  const base = baseLevel(levels)
  const { level: target, why } = highestQualifying(levels, facts)
  const currentId = current?.levelId ?? base?.id ?? null
  const currentLevel = levels.find((l) => l.id === currentId)
  const currentRank = currentLevel?.rank ?? base?.rank ?? 0
  const reasons = why.join('; ')
  if (!target) return { kind: 'keep', levelId: currentId ?? '', explanation: 'no active level' }
  if (target.rank > currentRank) {
    return {
      kind: 'upgrade', fromLevelId: currentId, toLevelId: target.id, reachedAt: now, reviewAt: reviewDate(target, base, now),
      explanation: `up to ${target.key}: ${reasons}`
    }
  }
  const due = occasion === 'review' && current !== null && current.reviewAt !== null && now.getTime() >= current.reviewAt.getTime()
  if (!due) {
    return {
      kind: 'keep', levelId: currentId!,
      explanation: occasion === 'review' ? 'not yet due for review' : `no higher level qualifies (${reasons}); a level goes down only at its review`
    }
  }
  if (target.rank < currentRank) {
    return {
      kind: 'downgrade', fromLevelId: currentId, toLevelId: target.id, reachedAt: now, reviewAt: reviewDate(target, base, now),
      explanation: `down to ${target.key} at review: ${reasons}`
    }
  }
  return {
    kind: 'renewal', fromLevelId: currentId, toLevelId: target.id, reachedAt: current.reachedAt, reviewAt: reviewDate(target, base, now),
    explanation: `kept ${target.key} at review: ${reasons}`
  }
}
