/**
 * What the customer tier and lifecycle rules look at: purchases (RFM's counted orders over all
 * time, see rfm.ts) and signs of interest. Kept minimal so the service can fill it with a few
 * keyed queries per customer, and the refresh job with one grouped query per table.
 */
import { classifyScore } from './survey-score.js'
import { DAY_MS, type RfmAggregate } from './rfm.js'

export type Purchases = { paidOrders: number; netPaid: number; lastPaidAt: Date }
/** One survey answer: its score and when it was given. */
export type SurveyAnswer = { score: number; at: Date }
/** The customer's latest answer of each survey kind up to the time of the decision; null when none. */
export type Satisfaction = { nps: SurveyAnswer | null; csat: SurveyAnswer | null }
export type CustomerFacts = {
  /** All-time counted orders (window `{ days: null }`); null when the customer never bought. */
  purchases: Purchases | null
  /** The customer has an open lead (new, contacted, qualified) or an open opportunity (not won or lost). */
  openPipeline: boolean
  /** The latest activity logged about the customer, their leads or opportunities; null when none. */
  lastActivityAt: Date | null
  /** The latest NPS and CSAT answers (survey_responses); absent: none known. */
  satisfaction?: Satisfaction
}

/** Facts from an all-time aggregate (undefined: never bought) and the interest signals. */
export function customerFacts(aggregate: RfmAggregate | undefined, openPipeline: boolean, lastActivityAt: Date | null, satisfaction?: Satisfaction): CustomerFacts {
  const purchases = aggregate && aggregate.paidOrders >= 1
    ? { paidOrders: aggregate.paidOrders, netPaid: aggregate.netPaid, lastPaidAt: aggregate.lastPaidAt }
    : null
  return satisfaction ? { purchases, openPipeline, lastActivityAt, satisfaction } : { purchases, openPipeline, lastActivityAt }
}

/** A detractor's answer (the survey loop's definition): NPS 0–6, CSAT 1–2. */
export const isDetractor = (kind: 'nps' | 'csat', score: number): boolean => classifyScore(kind, score) === 'detractor'

/**
 * The customer's latest answers of each kind up to `asOf`, from their answers in whatever order
 * (ties on time: the later in the list wins, as the larger id does in SQL).
 */
export function latestAnswers(answers: readonly { kind: 'nps' | 'csat'; score: number; at: Date }[], asOf: Date): Satisfaction {
  const out: { nps: SurveyAnswer | null; csat: SurveyAnswer | null } = { nps: null, csat: null }
  for (const a of answers) {
    if (a.at.getTime() > asOf.getTime()) continue
    const was = out[a.kind]
    if (!was || a.at.getTime() >= was.at.getTime()) out[a.kind] = { score: a.score, at: a.at }
  }
  return out
}

/**
 * The latest answer that makes the customer a recent detractor: the latest NPS or the latest
 * CSAT is a detractor's and was given within `days` of `asOf` (a later, happier answer of the
 * same kind takes it back). The more recent of the two when both are; null when neither, or `days` is 0.
 */
export function recentDetractor(satisfaction: Satisfaction | undefined, asOf: Date, days: number): { kind: 'nps' | 'csat'; answer: SurveyAnswer } | null {
  if (!satisfaction || days <= 0) return null
  let found: { kind: 'nps' | 'csat'; answer: SurveyAnswer } | null = null
  for (const kind of ['nps', 'csat'] as const) {
    const answer = satisfaction[kind]
    if (answer && isDetractor(kind, answer.score) && withinDays(answer.at, asOf, days) && (!found || answer.at > found.answer.at)) found = { kind, answer }
  }
  return found
}

/** `at` lies in [asOf − days·24h, asOf]: the same inclusive window as RFM's. */
export const withinDays = (at: Date, asOf: Date, days: number): boolean =>
  at.getTime() <= asOf.getTime() && at.getTime() >= asOf.getTime() - days * DAY_MS

/** Interest without a purchase: an open lead or opportunity, or an activity in the last `days`. */
export function interestOf(facts: CustomerFacts, asOf: Date, days: number): string | null {
  if (facts.openPipeline) return 'has an open lead or opportunity'
  if (facts.lastActivityAt && withinDays(facts.lastActivityAt, asOf, days)) return `had an activity within ${days} days`
  return null
}

/** Problems with whole-number thresholds: each must be a safe integer of at least `min`. */
export function wholeNumberProblems(config: Readonly<Record<string, number>>, min: Readonly<Record<string, number>>): string[] {
  return Object.keys(min).filter((k) => !Number.isSafeInteger(config[k]) || config[k] < min[k])
    .map((k) => `${k} must be a whole number of at least ${min[k]}, not ${config[k]}`)
}
