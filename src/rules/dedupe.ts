/**
 * How alike two records are (查重), for the duplicateCandidates list (docs/customers.md). The
 * database finds the pairs; these are the weights it gives them. A pair's score is the best of
 * its reasons: the same phone is all but certain, the same email nearly so (people share
 * inboxes more than phones), a similar name and company is a hint scaled by its trigram
 * similarity (pg_trgm, 0–1), never above an exact contact match.
 */
export const duplicateReasons = ['PHONE', 'EMAIL', 'NAME_COMPANY'] as const
export type DuplicateReason = (typeof duplicateReasons)[number]

export const DUPLICATE_SCORES = { PHONE: 1, EMAIL: 0.95, NAME_COMPANY: 0.9 } as const satisfies Record<DuplicateReason, number>

/** Name + company pairs less alike than this (trigram similarity) are not candidates. */
export const NAME_SIMILARITY_MIN = 0.6

/** The score of a pair found for these reasons, `similarity` being the name + company trigram similarity. */
export function duplicateScore(reasons: readonly DuplicateReason[], similarity: number): number {
  let best = 0
  for (const r of reasons) best = Math.max(best, r === 'NAME_COMPANY' ? DUPLICATE_SCORES.NAME_COMPANY * similarity : DUPLICATE_SCORES[r])
  return Math.round(best * 1000) / 1000
}
