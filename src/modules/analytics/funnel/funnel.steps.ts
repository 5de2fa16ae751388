import { rate } from '../analytics.views.js'

/**
 * The steps of the referral funnel, in order (docs/analytics.md, "Referral funnel"). Each
 * step's own time, and the time its duration is measured from, are SQL over the per-referral
 * row that funnel.sql.ts builds (columns named below).
 */
export const FUNNEL_STEPS = [
  'submitted', 'consented', 'qualified', 'leadContacted', 'opportunityOpened', 'converted', 'firstPaidOrder'
] as const
export type FunnelStep = (typeof FUNNEL_STEPS)[number]

export const FUNNEL_VIEWS = ['cohort', 'activity'] as const
export type FunnelView = (typeof FUNNEL_VIEWS)[number]

export const FUNNEL_GROUPS = ['channel', 'campaign', 'referrerKind', 'referrerTier', 'team', 'bucket'] as const
export type FunnelGroupBy = (typeof FUNNEL_GROUPS)[number]

export const REFERRAL_CHANNELS = ['api', 'form', 'link', 'qr', 'import'] as const
export const REFERRER_KINDS = ['customer', 'employee', 'partner', 'influencer', 'other'] as const

/** The arguments of the report, the same from GraphQL and REST. */
export type FunnelArgs = {
  view?: FunnelView | null
  groupBy?: FunnelGroupBy | null
  filter?: FunnelFilter | null
}

export type FunnelFilter = {
  referrerId?: string | null
  referrerKind?: (typeof REFERRER_KINDS)[number] | null
  referrerTier?: string | null
  campaignId?: string | null
  channel?: (typeof REFERRAL_CHANNELS)[number] | null
  ownerId?: string | null
  teamId?: string | null
}

/** One step's figures: how many, the rates, and the time from the previous step. */
export type StepFigures = {
  step: FunnelStep
  count: number
  rateFromPrevious: number | null
  overallRate: number | null
  duration: { count: number; medianSeconds: number | null; p90Seconds: number | null }
}

/** What the SQL answers per (group, step): the count and the measured durations. */
export type StepRow = { step: number; count: number; measured: number; median: number | null; p90: number | null }

/** Rows of one group (or the totals) → the seven steps, zero-filled, with rates. */
export function stepFigures(rowsOfGroup: StepRow[]): StepFigures[] {
  const byStep = new Map(rowsOfGroup.map((r) => [Number(r.step), r]))
  const counts = FUNNEL_STEPS.map((_, i) => Number(byStep.get(i + 1)?.count ?? 0))
  return FUNNEL_STEPS.map((step, i) => {
    const row = byStep.get(i + 1)
    return {
      step,
      count: counts[i],
      rateFromPrevious: i === 0 ? null : rate(counts[i], counts[i - 1]),
      overallRate: rate(counts[i], counts[0]),
      duration: {
        count: Number(row?.measured ?? 0),
        medianSeconds: row?.median == null ? null : Number(row.median),
        p90Seconds: row?.p90 == null ? null : Number(row.p90)
      }
    }
  })
}

