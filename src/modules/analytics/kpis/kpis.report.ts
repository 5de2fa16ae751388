import { Type, type Static } from '@sinclair/typebox'
import { sql } from 'drizzle-orm'
import { previousPeriod } from '../../../rules/report-period.js'
import { Nullable } from '../../common/schemas.js'
import type { CsvTable } from '../analytics.csv.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'
import { periodView, rate, ReportPeriodView } from '../analytics.views.js'
import { answerScope } from '../service/service.sql.js'
import { kpiCounts, type KpiCounts } from './kpis.sql.js'

const KpiView = Type.Object({ value: Nullable(Type.Number()), previous: Nullable(Type.Number()), change: Nullable(Type.Number()) })
export const kpiNames = [
  'leadConversionRate', 'averageSalesCycleSeconds', 'repurchaseRate', 'referralRate',
  'activeReferrers', 'churnedCustomers', 'customersPerRep', 'satisfaction'
] as const
type KpiName = (typeof kpiNames)[number]
const KpisView = Type.Object({
  period: ReportPeriodView,
  ...Object.fromEntries(kpiNames.map((k) => [k, KpiView])) as Record<KpiName, typeof KpiView>
})
export type Kpi = Static<typeof KpiView>
export type Kpis = { period: ReturnType<typeof periodView> } & Record<KpiName, Kpi>

/** Each KPI from one period's counts; satisfaction is CSAT (share of CSAT answers of 4–5, 0–1). */
function values(c: KpiCounts): Record<KpiName, number | null> {
  return {
    leadConversionRate: rate(c.leadsConverted, c.leadsCreated),
    averageSalesCycleSeconds: c.wonCycleSeconds,
    repurchaseRate: rate(c.repeatBuyers, c.buyers),
    referralRate: rate(c.referringCustomers, c.activeCustomers),
    activeReferrers: c.activeReferrers,
    churnedCustomers: c.churned,
    customersPerRep: rate(c.ownedCustomers, c.owningReps),
    satisfaction: rate(c.csatSatisfied, c.csatAnswers)
  }
}

async function run(ctx: ReportContext): Promise<Kpis> {
  const scope = {
    lead: ownerScope(ctx.actor, ctx.reach, sql`l.owner_id`),
    opportunity: ownerScope(ctx.actor, ctx.reach, sql`o.owner_id`),
    customer: ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`),
    referrer: ownerScope(ctx.actor, ctx.reach, sql`f.owner_id`),
    // An answer is the team's when its agent or its customer's owner is (as in the service report).
    answer: answerScope(ctx, sql`r.agent_id`)
  }
  // KPIs always answer the previous period of the same length, asked for or not.
  const previous = ctx.period.previous ?? previousPeriod(ctx.period)
  const now = values(await kpiCounts(ctx.deps.db, ctx.period, scope))
  const before = values(await kpiCounts(ctx.deps.db, previous, scope))
  const kpis = Object.fromEntries(kpiNames.map((k) => {
    const value = now[k], prior = before[k]
    return [k, { value, previous: prior, change: value === null || prior === null ? null : value - prior }]
  })) as Record<KpiName, Kpi>
  return { period: periodView({ ...ctx.period, previous }), ...kpis }
}

function csv(result: Kpis): CsvTable {
  return { columns: ['kpi', 'value', 'previous', 'change'], rows: kpiNames.map((k) => [k, result[k].value, result[k].previous, result[k].change]) }
}

/** KPIs: the figures a CRM is judged by, each beside the previous period's. */
export const kpis: ReportDefinition<ReturnType<typeof Type.Object>, Record<string, never>, Kpis> = {
  name: 'kpis',
  summary: 'Lead conversion, sales cycle, repurchase rate, referral rate, active referrers, churn, customers per rep, satisfaction; each with the previous period and the change',
  query: Type.Object({}),
  response: KpisView,
  fromQuery: () => ({}),
  run,
  csv
}
