import { sql, type SQL } from 'drizzle-orm'
import { rows, ts } from '../../../db/rows.js'
import { csatSatisfiedMin } from '../../../rules/survey-score.js'
import type { Executor } from '../../../db/client.js'
import type { Period } from '../../../rules/report-period.js'

/** The counts each KPI divides, for one period (docs/analytics.md, "KPIs"). */
export type KpiCounts = {
  leadsCreated: number; leadsConverted: number
  wonCount: number; wonCycleSeconds: number | null
  buyers: number; repeatBuyers: number
  activeCustomers: number; referringCustomers: number
  activeReferrers: number
  churned: number
  ownedCustomers: number; owningReps: number
  csatAnswers: number; csatSatisfied: number
}

/** Row filters per record kind; `answer` sees survey_responses r joined to customers c. */
export type KpiScope = { lead: SQL; opportunity: SQL; customer: SQL; referrer: SQL; answer: SQL }

/**
 * One period's counts in one statement. Orders count when paid in the period unless refunds
 * made before its end reach their amount; stage changes come from the outbox (customer.created
 * and customer.updated carry lifecycleStage), the record every write path leaves.
 */
export async function kpiCounts(ex: Executor, p: Period, scope: KpiScope): Promise<KpiCounts> {
  const from = ts(p.from), to = ts(p.to)
  const [row] = await rows<Record<keyof KpiCounts, string | number | null>>(ex, sql`
    with paid as materialized (
      -- The period's orders first (orders_paid_at_idx or a scan): left to itself the planner
      -- walks all of orders_customer_id_idx to group by customer, twice as slow at 10M orders.
      select o.id, o.customer_id, o.amount from orders o
      where o.deleted_at is null and o.paid_at >= ${from} and o.paid_at < ${to}
    ),
    buyers as (
      select o.customer_id, count(*) as orders
      from paid o join customers c on c.id = o.customer_id
      where c.deleted_at is null and c.merged_into_id is null and ${scope.customer}
        and coalesce((select sum(x.amount) from order_refunds x where x.order_id = o.id and x.refunded_at < ${to}), 0) < o.amount
      group by o.customer_id
    )
    select
      (select count(*) from leads l where l.deleted_at is null and ${scope.lead}
        and l.created_at >= ${from} and l.created_at < ${to}) as "leadsCreated",
      (select count(*) from leads l where l.deleted_at is null and ${scope.lead}
        and l.created_at >= ${from} and l.created_at < ${to} and l.converted_at < ${to}) as "leadsConverted",
      (select count(*) from opportunities o where o.deleted_at is null and ${scope.opportunity}
        and o.stage = 'won' and o.closed_at >= ${from} and o.closed_at < ${to}) as "wonCount",
      (select avg(extract(epoch from (o.closed_at - o.created_at)))::float8 from opportunities o where o.deleted_at is null and ${scope.opportunity}
        and o.stage = 'won' and o.closed_at >= ${from} and o.closed_at < ${to}) as "wonCycleSeconds",
      (select count(*) from buyers) as buyers,
      (select count(*) from buyers where orders >= 2) as "repeatBuyers",
      (select count(*) from buyers) as "activeCustomers",
      (select count(*) from buyers b where exists (
        select 1 from referrers f join referrals r on r.referrer_id = f.id
        where f.customer_id = b.customer_id and f.deleted_at is null and r.deleted_at is null
          and r.submitted_at >= ${from} and r.submitted_at < ${to})) as "referringCustomers",
      (select count(*) from referrers f where f.deleted_at is null and ${scope.referrer} and exists (
        select 1 from referrals r where r.referrer_id = f.id and r.deleted_at is null
          and r.submitted_at >= ${from} and r.submitted_at < ${to})) as "activeReferrers",
      (select count(distinct c.id) from outbox_events e join customers c on c.id = e.entity_id
        where e.entity_type = 'customer' and e.occurred_at >= ${from} and e.occurred_at < ${to}
          and ((e.type = 'customer.updated' and e.data #>> '{changes,lifecycleStage,to}' = 'churned')
            or (e.type = 'customer.created' and e.data #>> '{customer,lifecycleStage}' = 'churned'))
          and c.deleted_at is null and c.merged_into_id is null and ${scope.customer}) as churned,
      (select count(*) from customers c join users u on u.id = c.owner_id and u.active
        where c.deleted_at is null and c.merged_into_id is null and ${scope.customer} and c.created_at < ${to}) as "ownedCustomers",
      (select count(distinct c.owner_id) from customers c join users u on u.id = c.owner_id and u.active
        where c.deleted_at is null and c.merged_into_id is null and ${scope.customer} and c.created_at < ${to}) as "owningReps",
      csat."csatAnswers", csat."csatSatisfied"
    from (select count(*) as "csatAnswers", count(*) filter (where r.score >= ${csatSatisfiedMin}) as "csatSatisfied"
      from survey_responses r join customers c on c.id = r.customer_id
      where r.kind = 'csat' and r.answered_at >= ${from} and r.answered_at < ${to} and ${scope.answer}) csat`)
  const n = (v: string | number | null) => Number(v ?? 0)
  return {
    leadsCreated: n(row.leadsCreated), leadsConverted: n(row.leadsConverted),
    wonCount: n(row.wonCount), wonCycleSeconds: row.wonCycleSeconds === null ? null : Number(row.wonCycleSeconds),
    buyers: n(row.buyers), repeatBuyers: n(row.repeatBuyers),
    activeCustomers: n(row.activeCustomers), referringCustomers: n(row.referringCustomers),
    activeReferrers: n(row.activeReferrers), churned: n(row.churned),
    ownedCustomers: n(row.ownedCustomers), owningReps: n(row.owningReps),
    csatAnswers: n(row.csatAnswers), csatSatisfied: n(row.csatSatisfied)
  }
}
