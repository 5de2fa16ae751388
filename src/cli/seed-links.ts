import type { Database } from '../db/client.js'

/**
 * Referrers of kind `customer` are customers too (referrers.customer_id, what "customers who
 * referred someone" reads): this run's customer-kind referrers, oldest first, are paired with
 * this run's customers spread evenly over them, oldest first, so the link is the same for the
 * same seed. One UPDATE after the load (the referrers are loaded before the customers); the
 * target position is computed on the referrer side so the join is a hash join.
 */
export function linkCustomerReferrersSql(runId: string): string {
  const run = runId.replace(/[^A-Z0-9]/g, '')
  return `with c as (
      select id, row_number() over (order by created_at, external_id) as n from customers where external_id like 'seed-${run}-c%'
    ), total as (
      select count(*) as n from c
    ), r as (
      select id, 1 + ((row_number() over (order by created_at, external_id) - 1) * (select n from total))
        / greatest(count(*) over (), (select n from total)) as target
      from referrers where external_id like 'seed-${run}-r%' and kind = 'customer' and customer_id is null
    )
    update referrers f set customer_id = c.id
    from r join c on c.n = r.target
    where f.id = r.id`
}

export async function linkCustomerReferrers(database: Database, runId: string): Promise<void> {
  await database.raw(linkCustomerReferrersSql(runId), [])
}
