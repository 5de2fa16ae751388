import type { Period } from '../../../rules/report-period.js'
import type { ReportContext } from '../analytics.report.js'
import { rate } from '../analytics.views.js'
import { couponCounts, couponUses, templatesOf, type CouponRow, type UseRow } from './coupons.sql.js'
import type { CouponCampaignGroup, CouponFigures, CouponTemplateGroup, LoyaltyCoupons } from './loyalty.views.js'

type Counts = { issued: number; redeemedOfIssued: number; redeemed: number; restored: number; voided: number; discount: Map<string, number>; discountRestored: Map<string, number> }

const empty = (): Counts => ({ issued: 0, redeemedOfIssued: 0, redeemed: 0, restored: 0, voided: 0, discount: new Map(), discountRestored: new Map() })

function addMoney(into: Map<string, number>, from: Map<string, number>): void {
  for (const [currency, amount] of from) into.set(currency, (into.get(currency) ?? 0) + amount)
}

function addCounts(into: Counts, c: Counts): Counts {
  into.issued += c.issued; into.redeemedOfIssued += c.redeemedOfIssued; into.redeemed += c.redeemed
  into.restored += c.restored; into.voided += c.voided
  addMoney(into.discount, c.discount); addMoney(into.discountRestored, c.discountRestored)
  return into
}

/** Money per currency, by code, sums of 0 left out. */
const moneyList = (m: Map<string, number>) =>
  [...m].filter(([, amount]) => amount !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([currency, amount]) => ({ amount, currency }))

function figures(c: Counts): CouponFigures {
  return {
    issued: c.issued, redeemedOfIssued: c.redeemedOfIssued, redemptionRate: rate(c.redeemedOfIssued, c.issued),
    redeemed: c.redeemed, restored: c.restored, voided: c.voided,
    discount: moneyList(c.discount), discountRestored: moneyList(c.discountRestored)
  }
}

async function countsByTemplate(ctx: ReportContext, period: Period): Promise<Map<string, Counts>> {
  const byTemplate = new Map<string, Counts>()
  const of = (id: string) => byTemplate.get(id) ?? byTemplate.set(id, empty()).get(id)!
  for (const r of await couponCounts(ctx, period) as CouponRow[]) {
    const c = of(r.template_id)
    c.issued += r.issued; c.redeemedOfIssued += r.redeemed_of_issued; c.voided += r.voided
  }
  for (const r of await couponUses(ctx, period) as UseRow[]) {
    const c = of(r.template_id)
    c.redeemed += r.redeemed; c.restored += r.restored
    addMoney(c.discount, new Map([[r.currency, Number(r.discount)]]))
    addMoney(c.discountRestored, new Map([[r.currency, Number(r.discount_restored)]]))
  }
  return byTemplate
}

const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)

/**
 * Coupons issued, used, given back and voided in the period, per template and per campaign (the
 * template's campaign; templates without one in the group with campaignId null, listed last).
 */
export async function couponFigures(ctx: ReportContext, period: Period, previous: Period | null): Promise<LoyaltyCoupons> {
  const counts = await countsByTemplate(ctx, period)
  const templates = await templatesOf(ctx, [...counts.keys()])
  const byTemplate: CouponTemplateGroup[] = templates
    .map((t) => ({ templateId: t.id, name: t.name, campaignId: t.campaign_id, campaignName: t.campaign_name, figures: figures(counts.get(t.id)!) }))
    .sort((a, b) => byName(a.name, b.name) || (a.templateId < b.templateId ? -1 : 1))
  const campaigns = new Map<string | null, { name: string | null; templates: number; counts: Counts }>()
  for (const t of templates) {
    const g = campaigns.get(t.campaign_id) ?? { name: t.campaign_name, templates: 0, counts: empty() }
    g.templates += 1
    addCounts(g.counts, counts.get(t.id)!)
    campaigns.set(t.campaign_id, g)
  }
  const byCampaign: CouponCampaignGroup[] = [...campaigns]
    .map(([campaignId, g]) => ({ campaignId, name: g.name, templates: g.templates, figures: figures(g.counts) }))
    .sort((a, b) => (a.campaignId === null ? 1 : b.campaignId === null ? -1 : byName(a.name, b.name) || (a.campaignId < b.campaignId ? -1 : 1)))
  const total = (m: Map<string, Counts>) => figures([...m.values()].reduce(addCounts, empty()))
  return {
    totals: total(counts),
    byTemplate,
    byCampaign,
    previous: previous ? total(await countsByTemplate(ctx, previous)) : null
  }
}
