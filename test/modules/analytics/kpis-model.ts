import type { TestApp } from '../../helper.js'

/**
 * The KPIs computed in JavaScript from the base rows, straight from docs/analytics.md ("KPIs"),
 * independent of the report's SQL. `owners`: the users whose records count (team reach), or null.
 */
export async function modelKpis(ctx: TestApp, from: Date, to: Date, owners: Set<string> | null): Promise<Record<string, number | null>> {
  const inScope = (owner: string | null) => owners === null || (owner !== null && owners.has(owner))
  const inP = (v: Date | string | null) => v !== null && new Date(v) >= from && new Date(v) < to
  const before = (v: Date | string | null) => v !== null && new Date(v) < to
  const rate = (n: number, d: number) => (d === 0 ? null : n / d)

  const leads = (await ctx.sql<any>('select owner_id, created_at, converted_at, deleted_at from leads')).filter((l) => !l.deleted_at && inScope(l.owner_id) && inP(l.created_at))
  const opps = (await ctx.sql<any>("select owner_id, created_at, closed_at, stage::text, deleted_at from opportunities")).filter((o) => !o.deleted_at && inScope(o.owner_id) && o.stage === 'won' && inP(o.closed_at))
  const customers = await ctx.sql<any>('select c.id, c.owner_id, c.created_at, c.deleted_at, c.merged_into_id, u.active as owner_active from customers c left join users u on u.id = c.owner_id')
  const live = new Map(customers.filter((c) => !c.deleted_at && !c.merged_into_id && inScope(c.owner_id)).map((c) => [c.id, c]))
  const orders = await ctx.sql<any>('select id, customer_id, amount::float8 as amount, paid_at, deleted_at from orders')
  const refunds = await ctx.sql<any>('select order_id, amount::float8 as amount, refunded_at from order_refunds')
  const perBuyer = new Map<string, number>()
  for (const o of orders) {
    if (o.deleted_at || !live.has(o.customer_id) || !inP(o.paid_at)) continue
    const refunded = refunds.filter((x) => x.order_id === o.id && before(x.refunded_at)).reduce((s, x) => s + x.amount, 0)
    if (refunded >= o.amount) continue
    perBuyer.set(o.customer_id, (perBuyer.get(o.customer_id) ?? 0) + 1)
  }
  const referrers = await ctx.sql<any>('select id, customer_id, owner_id, deleted_at from referrers')
  const referrals = await ctx.sql<any>('select referrer_id, submitted_at, deleted_at from referrals')
  const submitting = new Set(referrals.filter((r) => !r.deleted_at && inP(r.submitted_at)).map((r) => r.referrer_id))
  const liveReferrers = referrers.filter((f) => !f.deleted_at)
  const referring = [...perBuyer.keys()].filter((c) => liveReferrers.some((f) => f.customer_id === c && submitting.has(f.id)))
  const events = await ctx.sql<any>("select type, entity_id, data, occurred_at from outbox_events where entity_type = 'customer'")
  const churned = new Set(events.filter((e) => inP(e.occurred_at) && live.has(e.entity_id) && (
    (e.type === 'customer.updated' && e.data?.changes?.lifecycleStage?.to === 'churned') ||
    (e.type === 'customer.created' && e.data?.customer?.lifecycleStage === 'churned'))).map((e) => e.entity_id))
  const owned = [...live.values()].filter((c) => c.owner_id && c.owner_active && before(c.created_at))
  const answers = (await ctx.sql<any>("select r.kind::text as kind, r.score, r.agent_id, r.answered_at, c.owner_id from survey_responses r join customers c on c.id = r.customer_id"))
    .filter((r) => r.kind === 'csat' && inP(r.answered_at) && (owners === null || (r.agent_id !== null && owners.has(r.agent_id)) || (r.owner_id !== null && owners.has(r.owner_id))))
  const cycle = opps.map((o) => (new Date(o.closed_at).getTime() - new Date(o.created_at).getTime()) / 1000)
  return {
    leadConversionRate: rate(leads.filter((l) => before(l.converted_at)).length, leads.length),
    averageSalesCycleSeconds: cycle.length ? cycle.reduce((a, b) => a + b, 0) / cycle.length : null,
    repurchaseRate: rate([...perBuyer.values()].filter((n) => n >= 2).length, perBuyer.size),
    referralRate: rate(referring.length, perBuyer.size),
    activeReferrers: liveReferrers.filter((f) => inScope(f.owner_id) && submitting.has(f.id)).length,
    churnedCustomers: churned.size,
    customersPerRep: rate(owned.length, new Set(owned.map((c) => c.owner_id)).size),
    satisfaction: rate(answers.filter((r) => r.score >= 4).length, answers.length)
  }
}
