import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigError } from '../../config.js'
import { customerTierConfigProblems, defaultCustomerTierConfig, type CustomerTierConfig } from '../../rules/customer-tier.js'
import { defaultLifecycleConfig, lifecycleConfigProblems, type LifecycleConfig } from '../../rules/lifecycle.js'
import { defaultReferrerTierConfig, referrerTierConfigProblems, type ReferrerTierConfig } from '../../rules/referrer-tier.js'
import { defaultRfmWindow, rfmWindowProblems, type RfmWindow } from '../../rules/rfm.js'
import { defaultSegmentTable, segmentTableProblems, type SegmentRow } from '../../rules/segments.js'

/** Everything scoring decides by: the RFM window, the segment table and the tier and stage thresholds (docs/scoring.md). */
export type ScoringConfig = {
  rfmWindow: RfmWindow
  segments: readonly SegmentRow[]
  customerTier: CustomerTierConfig
  lifecycle: LifecycleConfig
  referrerTiers: ReferrerTierConfig
}

export const defaultScoringConfig: ScoringConfig = {
  rfmWindow: defaultRfmWindow, segments: defaultSegmentTable, customerTier: defaultCustomerTierConfig,
  lifecycle: defaultLifecycleConfig, referrerTiers: defaultReferrerTierConfig
}

const Score = Type.Integer({ minimum: 1, maximum: 5 })
const Range = Type.Tuple([Score, Score])
const Whole = Type.Integer({ minimum: 0 })
/** SCORING_CONFIG: each part may be left out and keeps its default. */
const Overrides = Type.Object({
  rfmWindowDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
  segments: Type.Optional(Type.Array(Type.Object({ segment: Type.String({ minLength: 1, maxLength: 60 }), r: Range, f: Range, m: Range }, { additionalProperties: false }), { minItems: 1, maxItems: 125 })),
  customerTier: Type.Optional(Type.Partial(Type.Object({ aMinPaidOrders: Whole, aMinNetPaid: Whole, interestDays: Whole }), { additionalProperties: false })),
  lifecycle: Type.Optional(Type.Partial(Type.Object({ loyalMinPaidOrders: Whole, atRiskDays: Whole, churnedDays: Whole, engagedDays: Whole, detractorDays: Whole }), { additionalProperties: false })),
  referrerTiers: Type.Optional(Type.Object({
    windowDays: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    tiers: Type.Array(Type.Object({ tier: Type.String({ minLength: 1, maxLength: 50 }), minConversions: Whole }, { additionalProperties: false }), { minItems: 1, maxItems: 20 })
  }, { additionalProperties: false }))
}, { additionalProperties: false })
type Overrides = Static<typeof Overrides>

/**
 * The scoring configuration from SCORING_CONFIG (JSON; unset: the defaults). A wrong value
 * stops start-up naming what is wrong, as the rest of the configuration does.
 */
export function scoringConfig(json: string | undefined): ScoringConfig {
  if (!json) return defaultScoringConfig
  let parsed: unknown
  try {
    parsed = JSON.parse(json) as unknown
  } catch {
    throw new ConfigError('Invalid configuration:\n  SCORING_CONFIG: is not JSON')
  }
  const errors = [...Value.Errors(Overrides, parsed)].map((e) => `SCORING_CONFIG${e.path}: ${e.message}`)
  if (errors.length) throw new ConfigError(`Invalid configuration:\n  ${errors.join('\n  ')}`)
  const o = parsed as Overrides
  const config: ScoringConfig = {
    rfmWindow: o.rfmWindowDays !== undefined ? { days: o.rfmWindowDays } : defaultRfmWindow,
    segments: (o.segments as SegmentRow[] | undefined) ?? defaultSegmentTable,
    customerTier: { ...defaultCustomerTierConfig, ...o.customerTier },
    lifecycle: { ...defaultLifecycleConfig, ...o.lifecycle },
    referrerTiers: o.referrerTiers ?? defaultReferrerTierConfig
  }
  const problems = [
    ...rfmWindowProblems(config.rfmWindow).map((p) => `rfmWindowDays: ${p}`),
    ...segmentTableProblems(config.segments).map((p) => `segments: ${p}`),
    ...customerTierConfigProblems(config.customerTier).map((p) => `customerTier: ${p}`),
    ...lifecycleConfigProblems(config.lifecycle).map((p) => `lifecycle: ${p}`),
    ...referrerTierConfigProblems(config.referrerTiers).map((p) => `referrerTiers: ${p}`)
  ]
  if (problems.length) throw new ConfigError(`Invalid configuration:\n  SCORING_CONFIG ${problems.join('\n  SCORING_CONFIG ')}`)
  return config
}
