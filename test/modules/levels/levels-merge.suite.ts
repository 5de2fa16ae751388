import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createLevel, levelOf, recordOrder, SET_LEVEL } from './support.js'

const MERGE = 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { customer { id } userErrors { field code } } }'

/** A merge gives the survivor the highest level any of them held, then up again if their orders together qualify. */
await forEachDatabase(t, async (t, ctx) => {
  await createLevel(ctx, { key: 'silver', rank: 10, minSpend: 100_000, windowMonths: 12, reviewMonths: 12 })
  await createLevel(ctx, { key: 'gold', rank: 20, minSpend: 300_000, windowMonths: 12, reviewMonths: 12 })
  const merge = async (s: string, m: string[]) => t.same((await ctx.gql(ctx.adminToken, MERGE, { s, m })).data.mergeCustomers.userErrors, [])

  await t.test('the survivor takes the merged customer\'s higher level with its review date; the merged one\'s level ends', async (t) => {
    const survivor = await createCustomer(ctx)
    const merged = await createCustomer(ctx)
    await recordOrder(ctx, merged.id, 150_000)
    const before = await levelOf(ctx, merged.id)
    t.match(before, { level: { key: 'silver' } })
    await merge(survivor.id, [merged.id])
    const after = await levelOf(ctx, survivor.id)
    t.match(after, { level: { key: 'silver' }, reviewAt: before.reviewAt })
    t.match(after.history.edges[0].node, { reason: 'manual', from: { key: 'member' }, to: { key: 'silver' }, note: `merged from customer ${merged.id}` })
    const rows = await ctx.sql('select 1 from customer_levels where customer_id = $1', [merged.id])
    t.equal(rows.length, 0, 'no level row left for the merged customer')
  })

  await t.test('spend that qualifies only together moves the survivor up at the merge', async (t) => {
    const survivor = await createCustomer(ctx)
    const merged = await createCustomer(ctx)
    await recordOrder(ctx, survivor.id, 160_000)
    await recordOrder(ctx, merged.id, 160_000)
    t.match(await levelOf(ctx, survivor.id), { level: { key: 'silver' } })
    await merge(survivor.id, [merged.id])
    const after = await levelOf(ctx, survivor.id)
    t.match(after, { level: { key: 'gold' } })
    t.equal(after.history.edges[0].node.reason, 'upgrade')
  })

  await t.test('a survivor already higher keeps its level', async (t) => {
    const survivor = await createCustomer(ctx)
    const merged = await createCustomer(ctx)
    const set = await ctx.gql(ctx.adminToken, SET_LEVEL, { i: { customerId: survivor.id, levelKey: 'gold', reason: 'VIP' } })
    t.same(set.data.setCustomerLevel.userErrors, [])
    await recordOrder(ctx, merged.id, 150_000)
    await merge(survivor.id, [merged.id])
    const after = await levelOf(ctx, survivor.id)
    t.match(after, { level: { key: 'gold' }, history: { totalCount: 1 } })
  })
})
