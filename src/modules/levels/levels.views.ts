import type { customerLevelChanges, memberLevels } from '../../db/schema/member-levels.js'
import type { MemberLevel } from '../../rules/member-levels.js'
import { BASE_LEVEL_ID, LEVEL_CURRENCY } from './levels.schemas.js'

export type LevelRow = typeof memberLevels.$inferSelect
export type ChangeRow = typeof customerLevelChanges.$inferSelect

export type MemberLevelView = Omit<LevelRow, 'deletedAt' | 'createdAt' | 'updatedAt'> & {
  base: boolean; spendCurrency: string; createdAt: string; updatedAt: string
}

export function levelView(r: LevelRow): MemberLevelView {
  const { deletedAt: _d, createdAt, updatedAt, ...rest } = r
  return { ...rest, base: r.id === BASE_LEVEL_ID, spendCurrency: LEVEL_CURRENCY, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() }
}

/** The row as the rules (src/rules/member-levels.ts) read it. */
export function toRule(r: LevelRow): MemberLevel {
  return {
    id: r.id, key: r.key, rank: r.rank, minSpend: r.minSpend, minPoints: r.minPoints, match: r.match,
    windowMonths: r.windowMonths, reviewMonths: r.reviewMonths, active: r.active
  }
}

/** A level as events and history name it. */
export type LevelRef = { id: string; key: string; rank: number; nameZh: string; nameEn: string }
export const levelRef = (r: LevelRow): LevelRef => ({ id: r.id, key: r.key, rank: r.rank, nameZh: r.nameZh, nameEn: r.nameEn })

/** One window's facts as stored with a change (customer_level_changes.facts.windows). */
export type StoredFacts = { windowMonths: number; from: string; spend: number; points: number }
/** What customer_level_changes.facts holds. */
export type ChangeFacts = { occasion?: string; explanation?: string; windows?: StoredFacts[]; note?: string; reviewAt?: string | null }

export type CustomerLevelView = { level: MemberLevelView; reachedAt: string | null; reviewAt: string | null; customerId: string }

export type LevelChangeView = {
  id: string; customerId: string; reason: string; fromLevelId: string | null; toLevelId: string; at: string; reviewAt: string | null
  occasion: string | null; facts: { windowMonths: number; from: string; spend: { amount: number; currency: string }; points: number }[]
  explanation: string | null; note: string | null
}

export function changeView(r: ChangeRow): LevelChangeView {
  const f = r.facts as ChangeFacts
  return {
    id: r.id, customerId: r.customerId, reason: r.reason, fromLevelId: r.fromLevelId, toLevelId: r.toLevelId, at: r.at.toISOString(),
    reviewAt: f.reviewAt ?? null, occasion: f.occasion ?? null,
    facts: (f.windows ?? []).map((w) => ({ windowMonths: w.windowMonths, from: w.from, spend: { amount: w.spend, currency: LEVEL_CURRENCY }, points: w.points })),
    explanation: f.explanation ?? null, note: f.note ?? null
  }
}
