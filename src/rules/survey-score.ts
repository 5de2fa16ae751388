/**
 * Satisfaction answers (docs/service.md): the scale of each survey kind and what a
 * score says about the customer. Pure: the surveys service and the reports both read it.
 *   CSAT 1–5: 1–2 detractor (unhappy), 3 passive, 4–5 satisfied (counted in the CSAT %).
 *   NPS 0–10: 0–6 detractor, 7–8 passive, 9–10 promoter (offered to become a referrer).
 */
export const surveyKinds = ['csat', 'nps'] as const
export type SurveyKind = (typeof surveyKinds)[number]
export type ScoreCategory = 'detractor' | 'passive' | 'promoter'

export const scales: Record<SurveyKind, { min: number; max: number }> = {
  csat: { min: 1, max: 5 },
  nps: { min: 0, max: 10 }
}

/** The highest detractor score and the lowest promoter score per kind (CSAT has no promoters); the lowest CSAT counted satisfied. */
export const thresholds: Record<SurveyKind, { detractorMax: number; promoterMin: number | null }> = {
  csat: { detractorMax: 2, promoterMin: null },
  nps: { detractorMax: 6, promoterMin: 9 }
}
export const csatSatisfiedMin = 4

/** Why a score is not an answer to this kind, or null. */
export function scoreProblem(kind: SurveyKind, score: number): string | null {
  const { min, max } = scales[kind]
  if (!Number.isInteger(score) || score < min || score > max) return `must be a whole number from ${min} to ${max}`
  return null
}

/** What the (valid) score says: detractor, passive or promoter. */
export function classifyScore(kind: SurveyKind, score: number): ScoreCategory {
  const t = thresholds[kind]
  if (score <= t.detractorMax) return 'detractor'
  if (t.promoterMin !== null && score >= t.promoterMin) return 'promoter'
  return 'passive'
}
