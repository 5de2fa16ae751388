import t, { type Test as Tap } from 'tap'
import { rfmRecomputeJob } from '../../../src/jobs/rfm-recompute.job.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { DAY_MS } from '../../../src/rules/rfm.js'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { createCustomer } from '../orders/support.js'

/**
 * Incremental scoring against activities, leads, opportunities and orders whose keys do not
 * lead to a live customer: an activity about a referrer alone, or a lead nobody converted,
 * has no customer at all (its interest row's key is null), and a deleted or merged customer
 * has no scores row. Every incremental run must succeed, and store exactly what a REBUILD on
 * the same data stores.
 */

const LOG = `mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id customerId } userErrors { field message code } } }`
const RECOMPUTE_INLINE = (mode: string) => `mutation { recomputeRfm(input: { mode: ${mode} }) { run { id mode scored } userErrors { field message code } } }`
const RECOMPUTE = 'mutation($i: RecomputeRfmInput) { recomputeRfm(input: $i) { run { id mode scored } userErrors { field message code } } }'

/** What scoring stored for every live customer: scores, figures, segment, what it placed and the customer's tier and stage. */
async function stored(ctx: TestApp): Promise<unknown[]> {
  return ctx.sql(`select c.id::text as id, s.r, s.f, s.m, s.segment, s.frequency, s.monetary::float8 as monetary, s.placed_tier::text as placed_tier,
      s.placed_stage::text as placed_stage, c.tier::text as tier, c.lifecycle_stage::text as stage
    from customers c left join customer_scores s on s.customer_id = c.id
    where c.deleted_at is null and c.merged_into_id is null order by c.id`)
}

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const integration = await ctx.keyToken('integration')
  const buy = (customerId: string, amount: number, daysAgo: number) =>
    ctx.app.services.orders.record(systemActor, { customerId, amount: { amount, currency: 'CNY' }, paidAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString() })
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const r = await ctx.gql(ctx.adminToken, query, variables)
    if (r.errors) throw new Error(JSON.stringify(r.errors))
    return r.data
  }
  const referrer = async () => (await gql('mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { message } } }',
    { i: { kind: 'partner', name: `Partner ${Math.random().toString(36).slice(2, 8)}` } })).createReferrer.referrer.id as string
  const lead = async (customerId?: string) => (await gql('mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { message } } }',
    { i: { source: 'website', name: 'Lead', ...(customerId ? { customerId } : {}) } })).createLead.lead.id as string
  const opportunity = async (customerId: string) => (await gql('mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } userErrors { message } } }',
    { i: { customerId, name: 'Deal' } })).createOpportunity.opportunity.id as string
  const logGql = async (t: Tap, subjects: Record<string, string>) => {
    const r = await ctx.gql(ctx.adminToken, LOG, { i: { kind: 'call', ...subjects } })
    t.same(r.data.logActivity.userErrors, [], `activity on ${Object.keys(subjects).join(' + ')} logged`)
  }
  const logRest = async (t: Tap, subjects: Record<string, string>) => {
    const r = await ctx.rest(integration, 'POST', '/api/v1/activities', { kind: 'note', ...subjects })
    t.equal(r.statusCode, 201, `activity on ${Object.keys(subjects).join(' + ')} logged over REST`)
  }

  /** An incremental run by `how`, then a REBUILD: both succeed and store the same for every customer. */
  const incrementalEqualsRebuild = async (t: Tap, how: 'gql-inline' | 'gql-variables' | 'rest' | 'job') => {
    if (how === 'gql-inline') {
      const r = await ctx.gql(marketing.token, RECOMPUTE_INLINE('INCREMENTAL'))
      t.notOk(r.errors, 'recomputeRfm(input:{mode:INCREMENTAL}) answers without errors')
      t.match(r.data?.recomputeRfm, { run: { mode: 'INCREMENTAL' }, userErrors: [] })
    } else if (how === 'gql-variables') {
      const r = await ctx.gql(integration, RECOMPUTE, { i: { mode: 'INCREMENTAL' } })
      t.notOk(r.errors, 'recomputeRfm with the mode as a variable answers without errors')
      t.match(r.data?.recomputeRfm, { run: { mode: 'INCREMENTAL' }, userErrors: [] })
    } else if (how === 'rest') {
      const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', { mode: 'incremental' })
      t.equal(r.statusCode, 200, r.statusCode === 200 ? 'POST /api/v1/rfm/recompute answers the run' : r.body)
    } else {
      await t.resolves(rfmRecomputeJob.run(ctx.app.services, new Date()), 'the nightly job runs')
    }
    const [last] = await ctx.sql<{ kind: string }>('select kind from scoring_runs order by started_at desc limit 1')
    t.equal(last.kind, 'incremental')
    const incremental = await stored(ctx)
    const rebuilt = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', { mode: 'rebuild' })
    t.equal(rebuilt.statusCode, 200)
    t.same(incremental, await stored(ctx), 'the incremental run stored what a rebuild stores')
  }

  // A scored population (so a nightly pass compares cut by cut), and customers who never bought.
  const buyers: string[] = []
  for (let i = 0; i < 8; i++) {
    const c = await createCustomer(ctx)
    buyers.push(c.id)
    for (let k = 0; k <= i % 3; k++) await buy(c.id, 10_000 * (i + 1), 3 + 40 * i + k)
  }
  const prospects = await Promise.all(Array.from({ length: 6 }, async () => (await createCustomer(ctx)).id))
  t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', { mode: 'rebuild' })).statusCode, 200, 'the first run')

  await t.test('an activity about a referrer only (no customer), then INCREMENTAL inline over GraphQL', async (t) => {
    await logGql(t, { referrerId: await referrer() })
    await incrementalEqualsRebuild(t, 'gql-inline')
  })

  await t.test('an activity about a lead without a customer, then POST /api/v1/rfm/recompute', async (t) => {
    await logRest(t, { leadId: await lead() })
    await incrementalEqualsRebuild(t, 'rest')
  })

  await t.test('a referrer and a customer-less lead together, then the nightly job', async (t) => {
    await logGql(t, { referrerId: await referrer(), leadId: await lead() })
    await incrementalEqualsRebuild(t, 'job')
  })

  await t.test('a lead of a customer who never bought: placed by interest, the same either way', async (t) => {
    await logRest(t, { leadId: await lead(prospects[0]) })
    await incrementalEqualsRebuild(t, 'gql-variables')
    const [c] = await ctx.sql<{ tier: string; stage: string }>('select tier::text as tier, lifecycle_stage::text as stage from customers where id = $1', [prospects[0]])
    t.same(c, { tier: 'B', stage: 'nurturing' })
  })

  await t.test('an opportunity only, and an opportunity with a referrer', async (t) => {
    await logGql(t, { opportunityId: await opportunity(prospects[1]) })
    await logRest(t, { opportunityId: await opportunity(prospects[2]), referrerId: await referrer() })
    await incrementalEqualsRebuild(t, 'gql-inline')
  })

  await t.test('a lead with a customer and an opportunity, and a referrer with a lead of a buyer', async (t) => {
    await logGql(t, { leadId: await lead(prospects[3]), opportunityId: await opportunity(prospects[3]) })
    await logRest(t, { referrerId: await referrer(), leadId: await lead(buyers[0]) })
    await incrementalEqualsRebuild(t, 'rest')
  })

  await t.test('activities, a lead, an opportunity and orders of customers deleted or merged since', async (t) => {
    const gone = prospects[4]
    const merged = prospects[5]
    const leadOfGone = await lead(gone)
    await logGql(t, { opportunityId: await opportunity(gone) })
    await logRest(t, { customerId: merged })
    await buy(gone, 7_000, 1)
    await buy(merged, 8_000, 2)
    t.same((await gql('mutation($id: ID!) { deleteCustomer(id: $id) { userErrors { message } } }', { id: gone })).deleteCustomer.userErrors, [])
    t.same((await gql('mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { message } } }', { s: buyers[1], m: [merged] })).mergeCustomers.userErrors, [])
    // Written after the customer left, as a late integration or a bulk load would.
    await logRest(t, { leadId: leadOfGone })
    await incrementalEqualsRebuild(t, 'gql-variables')
    t.same(await ctx.sql('select 1 from customer_scores where customer_id = any($1::uuid[])', [[gone, merged]]), [], 'no scores for customers who left')
  })

  await t.test('nothing changed: the next incremental run still equals a rebuild', async (t) => {
    await incrementalEqualsRebuild(t, 'job')
  })
})
