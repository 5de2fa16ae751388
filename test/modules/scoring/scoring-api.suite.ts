import t from 'tap'
import { rfmRecomputeJob } from '../../../src/jobs/rfm-recompute.job.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { DAY_MS } from '../../../src/rules/rfm.js'
import { forEachDatabase } from '../../helper.js'
import { createCustomer } from '../orders/support.js'

const RECOMPUTE = `mutation($i: RecomputeRfmInput) { recomputeRfm(input: $i) {
  run { id mode asOf scored unscored rfmChanged tierOrStageChanged events windowDays segments { name count } tiers { name count } stages { name count } }
  userErrors { field message code } } }`
const CUSTOMER = 'query($id: ID!) { customer(id: $id) { id tier lifecycleStage rfm { recency frequency monetary { amount currency } r f m segment computedAt } } }'

await forEachDatabase(t, async (t, ctx) => {
  const buy = async (customerId: string, amount: number, daysAgo: number) => {
    const res = await ctx.app.services.orders.record(systemActor, { customerId, amount: { amount, currency: 'CNY' }, paidAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString() })
    return res.order.id
  }
  const eventsOfType = (type: string) => ctx.sql<{ entity_id: string; data: Record<string, any> }>('select entity_id::text as entity_id, data from outbox_events where type = $1 order by id', [type])

  const loyal = await createCustomer(ctx)
  const once = await createCustomer(ctx)
  const lapsed = await createCustomer(ctx)
  const never = await createCustomer(ctx)
  await buy(loyal.id, 300_000, 3)
  await buy(loyal.id, 400_000, 10)
  await buy(once.id, 5_000, 1)
  await buy(lapsed.id, 9_000, 200)

  await t.test('recomputeRfm scores, stores and announces: one rfm.recomputed with counts per segment', async (t) => {
    const r = await ctx.gql(ctx.adminToken, RECOMPUTE, { i: { mode: 'REBUILD' } })
    t.same(r.data.recomputeRfm.userErrors, [])
    const run = r.data.recomputeRfm.run
    t.match(run, { mode: 'REBUILD', scored: 3, unscored: 1, windowDays: 365 })
    t.equal(run.segments.reduce((n: number, s: { count: number }) => n + s.count, 0), 3)
    const recomputed = await eventsOfType('rfm.recomputed')
    t.equal(recomputed.length, 1)
    t.equal(recomputed[0].data.run.id, run.id)
    t.same(Object.values(recomputed[0].data.run.segments).reduce((a: number, b) => a + Number(b), 0), 3)
    // Three scored: one is strictly worse on recency (r = 1 + ⌊5·1/3⌋ = 2), two on frequency and money (4).
    const c = await ctx.gql(ctx.adminToken, CUSTOMER, { id: loyal.id })
    t.match(c.data.customer, { tier: 'A', lifecycleStage: 'loyal', rfm: { recency: 3, frequency: 2, monetary: { amount: 700_000 }, r: 2, f: 4, m: 4 } })
    t.equal(c.data.customer.rfm.computedAt, run.asOf)
    const n = await ctx.gql(ctx.adminToken, CUSTOMER, { id: never.id })
    t.match(n.data.customer, { tier: null, lifecycleStage: 'prospect', rfm: null })
    const l = await ctx.gql(ctx.adminToken, CUSTOMER, { id: lapsed.id })
    t.match(l.data.customer, { tier: 'C', lifecycleStage: 'at_risk' })
    // Each scored customer's segment went from none to one: one customer.updated each, none for the unscored.
    const updated = await eventsOfType('customer.updated')
    t.same(new Set(updated.map((e) => e.entity_id)), new Set([loyal.id, once.id, lapsed.id]))
    t.match(updated.find((e) => e.entity_id === loyal.id)!.data, { id: loyal.id, source: 'scoring', changes: { segment: { from: null }, tier: { from: null, to: 'A' }, lifecycleStage: { from: 'prospect', to: 'loyal' } } })
    const audit = await ctx.sql('select action from audit_entries where action = $1', ['rfm.recomputed'])
    t.equal(audit.length, 1)
  })

  await t.test('a second run with nothing changed writes no customer.updated', async (t) => {
    const before = (await eventsOfType('customer.updated')).length
    const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', {})
    t.equal(r.statusCode, 200)
    t.match(r.json(), { mode: 'incremental', scored: 3, rfmChanged: 0, tierOrStageChanged: 0, events: 0 })
    t.equal((await eventsOfType('customer.updated')).length, before)
    t.equal((await eventsOfType('rfm.recomputed')).length, 2)
  })

  await t.test('a refund and a merge keep the aggregates exact; the next run follows them', async (t) => {
    const order = await buy(never.id, 50_000, 2)
    await ctx.app.services.orders.refund(systemActor, { orderId: order, amount: { amount: 20_000, currency: 'CNY' } })
    const [agg] = await ctx.sql<{ paid_orders: number; net_paid: number }>('select paid_orders, net_paid::float8 as net_paid from customer_scores where customer_id = $1', [never.id])
    t.same(agg, { paid_orders: 1, net_paid: 30_000 })
    const merged = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { message } } }', { s: loyal.id, m: [never.id] })
    t.same(merged.data.mergeCustomers.userErrors, [])
    const rows = await ctx.sql<{ customer_id: string; paid_orders: number; net_paid: number }>('select customer_id::text as customer_id, paid_orders, net_paid::float8 as net_paid from customer_scores where customer_id = any($1::uuid[]) order by paid_orders', [[loyal.id, never.id]])
    t.same(rows.map((r) => [r.customer_id, r.paid_orders, r.net_paid]), [[loyal.id, 3, 730_000]], 'the merged customer\'s aggregates left with them')
    const run = await ctx.app.services.scoring.recompute(systemActor, 'incremental')
    t.equal(run.scored, 3, 'the merged customer is no longer scored')
    const c = await ctx.gql(ctx.adminToken, CUSTOMER, { id: loyal.id })
    t.match(c.data.customer.rfm, { frequency: 3, monetary: { amount: 730_000 } })
  })

  await t.test('a deleted customer leaves the scores and the counts; brought back by an upsert, they are scored again', async (t) => {
    const gone = await createCustomer(ctx, { externalId: `erp-gone-${Date.now()}` })
    await buy(gone.id, 12_000, 5)
    t.equal((await ctx.app.services.scoring.recompute(systemActor, 'incremental')).scored, 4)
    const del = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { deleteCustomer(id: $id) { userErrors { message } } }', { id: gone.id })
    t.same(del.data.deleteCustomer.userErrors, [])
    t.same(await ctx.sql('select 1 from customer_scores where customer_id = $1', [gone.id]), [], 'no aggregates for a deleted customer')
    const without = await ctx.app.services.scoring.recompute(systemActor, 'incremental')
    t.equal(without.scored, 3)
    t.equal(Object.values(without.segments).reduce((a, b) => a + b, 0), 3, 'not counted in any segment')
    const back = await ctx.gql(ctx.adminToken, 'mutation($e: String!) { upsertCustomer(externalId: $e, input: { name: "Back again" }) { customer { id } userErrors { message } } }', { e: gone.externalId })
    t.same(back.data.upsertCustomer.userErrors, [])
    t.equal(back.data.upsertCustomer.customer.id, gone.id)
    const [agg] = await ctx.sql<{ paid_orders: number }>('select paid_orders from customer_scores where customer_id = $1', [gone.id])
    t.same(agg, { paid_orders: 1 }, 'recounted from their orders on return')
    t.equal((await ctx.app.services.scoring.recompute(systemActor, 'incremental')).scored, 4)
    t.equal((await ctx.app.services.scoring.recompute(systemActor, 'rebuild')).scored, 4, 'a rebuild agrees')
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { deleteCustomer(id: $id) { userErrors { message } } }', { id: gone.id })
  })

  await t.test('a customer who never bought is tier B and nurturing while an opportunity is open, and back to a prospect once it is lost', async (t) => {
    const keen = await createCustomer(ctx)
    const [opp] = await ctx.sql<{ id: string }>(`insert into opportunities (id, customer_id, name, probability) values (gen_random_uuid(), $1, 'Pilot', 10) returning id::text as id`, [keen.id])
    const first = await ctx.app.services.scoring.recompute(systemActor, 'incremental')
    t.match((await ctx.gql(ctx.adminToken, CUSTOMER, { id: keen.id })).data.customer, { tier: 'B', lifecycleStage: 'nurturing', rfm: null })
    t.equal(first.scored, 3, 'placed, not scored')
    t.ok(first.tiers.B >= 1)
    const moved = (await eventsOfType('customer.updated')).filter((e) => e.entity_id === keen.id)
    t.match(moved.map((e) => e.data.changes), [{ tier: { from: null, to: 'B' }, lifecycleStage: { from: 'prospect', to: 'nurturing' } }])
    t.notOk('segment' in moved[0].data.changes, 'no segment, so no segment change')
    t.match((await ctx.app.services.scoring.recompute(systemActor, 'incremental')), { changed: { tierOrStage: 0 } }, 'nothing moves while the opportunity stays open')
    await ctx.sql(`update opportunities set stage = 'lost' where id = $1`, [opp.id])
    await ctx.app.services.scoring.recompute(systemActor, 'incremental')
    t.match((await ctx.gql(ctx.adminToken, CUSTOMER, { id: keen.id })).data.customer, { tier: null, lifecycleStage: 'prospect' })
  })

  await t.test('who may recompute: admins, managers, marketing, integration keys; not sales, service or referrers', async (t) => {
    const sales = await ctx.staff('sales')
    const r = await ctx.gql(sales.token, RECOMPUTE, {})
    t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    const rest = await ctx.rest(sales.token, 'POST', '/api/v1/rfm/recompute', {})
    t.equal(rest.statusCode, 403)
    t.equal((await ctx.rest(await ctx.keyToken('service'), 'POST', '/api/v1/rfm/recompute', {})).statusCode, 403)
    const marketing = await ctx.staff('marketing')
    t.equal((await ctx.gql(marketing.token, RECOMPUTE, {})).data.recomputeRfm.run.mode, 'INCREMENTAL')
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', { mode: 'sometimes' })).statusCode, 400)
    const runs = await ctx.rest(sales.token, 'GET', '/api/v1/rfm/runs?limit=2')
    t.equal(runs.statusCode, 200)
    t.equal(runs.json().data.length, 2)
    const q = await ctx.gql(marketing.token, 'query { scoringRuns(first: 1) { id mode scored } }')
    t.equal(q.data.scoringRuns.length, 1)
  })

  await t.test('the nightly job rescores as of its time, and referrer tiers follow conversions', async (t) => {
    t.equal(rfmRecomputeJob.name, 'rfm-recompute')
    t.equal(rfmRecomputeJob.cron(ctx.app.config), '0 18 * * *')
    const [ref] = await ctx.sql<{ id: string }>(`insert into referrers (id, kind, name, code, tier) values (gen_random_uuid(), 'partner', 'Tier test', 'TIERTEST1', 'standard') returning id::text as id`)
    const [vip] = await ctx.sql<{ id: string }>(`insert into referrers (id, kind, name, code, tier) values (gen_random_uuid(), 'partner', 'VIP test', 'TIERTEST2', 'vip') returning id::text as id`)
    for (const id of [ref.id, vip.id]) {
      await ctx.sql(`insert into referrals (id, referrer_id, status, channel, converted_at, name)
        select gen_random_uuid(), $1, 'converted', 'api', now() - (i || ' days')::interval, 'R' || i from generate_series(1, 3) i`, [id])
    }
    const result = await rfmRecomputeJob.run(ctx.app.services, new Date(Date.now() + 400 * DAY_MS))
    t.match(result, { scored: 0 }, 'a year later nobody has bought within the window')
    const tiers = await ctx.sql<{ code: string; tier: string }>(`select code, tier from referrers where code like 'TIERTEST%' order by code`)
    t.same(tiers.map((r) => r.tier), ['standard', 'vip'], 'conversions older than the window count for nothing; a hand-given tier stays')
    await rfmRecomputeJob.run(ctx.app.services, new Date())
    const now = await ctx.sql<{ tier: string }>(`select tier from referrers where code like 'TIERTEST%' order by code`)
    t.same(now.map((r) => r.tier), ['silver', 'vip'])
    const moved = await ctx.sql<{ data: Record<string, unknown> }>(`select data from outbox_events where type = 'referrer.updated' and entity_id = $1`, [ref.id])
    t.match(moved.map((e) => e.data), [{ id: ref.id, changes: { tier: { from: 'standard', to: 'silver' } }, source: 'scoring' }])
  })
})
