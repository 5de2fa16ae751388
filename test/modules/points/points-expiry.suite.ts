import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { expireDue } from '../../../src/modules/points/points.expiry.js'
import { adjust, balanceOf, createCustomer, LEDGER, ledgerHolds, REDEEM, type Entry } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const DAY = 86_400_000
  const expireLot = (lotId: string, daysAgo: number) =>
    ctx.sql(`update points_lots set expires_at = now() - make_interval(days => $2::int) where id = $1`, [lotId, daysAgo])
  const ledgerOf = async (customerId: string): Promise<Entry[]> =>
    (await ctx.gql(ctx.adminToken, LEDGER, { c: customerId, first: 200 })).data.pointsLedger.edges.map((e: { node: Entry }) => e.node)

  await t.test('a lot past its expiry is not spendable even before the job runs; the job writes it off once, with one event per account', async (t) => {
    const c = await createCustomer(ctx)
    const old = await adjust(ctx, c.id, 300)
    await adjust(ctx, c.id, 200)
    await expireLot(old.id, 1)
    t.match(await balanceOf(ctx, c.id), { balance: 200, bookedBalance: 500 })
    const tooMuch = await ctx.gql(pos, REDEEM, { i: { customerId: c.id, amount: 201, itemCode: 'SKU' } })
    t.match(tooMuch.data.redeemPoints.userErrors, [{ code: 'INSUFFICIENT_POINTS', message: /200 points available/ }])
    const first = await ctx.app.services.points.expireDue(new Date())
    t.ok(first.accounts >= 1 && first.points >= 300)
    const second = await ctx.app.services.points.expireDue(new Date())
    t.same(second, { accounts: 0, points: 0 }, 'nothing twice')
    const b = await balanceOf(ctx, c.id)
    t.match(b, { balance: 200, bookedBalance: 200 })
    const [expired] = (await ledgerOf(c.id)).filter((e) => e.kind === 'expire')
    t.match(expired, { amount: -300, sourceType: 'expiry', sourceId: old.id, lots: [{ lot: old.id, amount: 300 }], balanceAfter: 200 })
    const events = await ctx.sql<{ data: { expired: number; account: { balance: number } } }>(`select data from outbox_events where type = 'points.expired' and entity_id = $1`, [b.accountId])
    t.equal(events.length, 1)
    t.match(events[0].data, { expired: 300, account: { balance: 200 } })
    t.same(await ledgerHolds(ctx, b.accountId!), { balance: 200, ledger: 200, lots: 200 })
  })

  await t.test('returning a redemption forfeits the share of a lot that has expired since, and gives back the rest', async (t) => {
    const c = await createCustomer(ctx)
    const soon = await adjust(ctx, c.id, 100)
    const later = await adjust(ctx, c.id, 100)
    await ctx.sql(`update points_lots set expires_at = now() + interval '1 day' where id = $1`, [soon.id])
    await ctx.sql(`update points_lots set expires_at = now() + interval '300 days' where id = $1`, [later.id])
    const r = await ctx.gql(pos, REDEEM, { i: { customerId: c.id, amount: 150, itemCode: 'TV' } })
    const id = r.data.redeemPoints.redemption.id
    await expireLot(soon.id, 1)
    const back = await ctx.rest(pos, 'POST', `/api/v1/points/redemptions/${id}/reversal`, { reason: 'sale cancelled' })
    t.equal(back.statusCode, 200)
    t.match(back.json(), { status: 'reversed', reversedAmount: 150 })
    t.match(await balanceOf(ctx, c.id), { balance: 100, bookedBalance: 100 }, '50 to the live lot, the 100 of the expired lot forfeited')
    const again = await ctx.rest(pos, 'POST', `/api/v1/points/redemptions/${id}/reversal`, {})
    t.equal(again.statusCode, 422)
    t.match(again.json(), { errors: [{ code: 'ALREADY_REVERSED' }] })
  })

  await t.test('the job works through the due lots batch by batch: every account once, even when a batch names a single account', async (t) => {
    const [a, b, c] = [await createCustomer(ctx), await createCustomer(ctx), await createCustomer(ctx)]
    const due = [await adjust(ctx, a.id, 10), await adjust(ctx, a.id, 20), await adjust(ctx, a.id, 30), await adjust(ctx, b.id, 40), await adjust(ctx, c.id, 50), await adjust(ctx, c.id, 60)]
    await adjust(ctx, c.id, 7)
    // a's three due lots: a batch of two due lots names a single account, and a's third lot is past the batch's cut.
    for (const [i, lot] of due.entries()) await expireLot(lot.id, 30 - i)
    const done = await expireDue(ctx.app.database.db, new Date(), 2)
    t.ok(done.accounts >= 3 && done.points >= 210, `expired ${JSON.stringify(done)}`)
    t.same(await expireDue(ctx.app.database.db, new Date(), 2), { accounts: 0, points: 0 }, 'nothing left, nothing twice')
    for (const [customer, left, lots] of [[a, 0, 3], [b, 0, 1], [c, 7, 2]] as const) {
      const { accountId } = await balanceOf(ctx, customer.id)
      t.same(await ledgerHolds(ctx, accountId!), { balance: left, ledger: left, lots: left })
      t.equal((await ledgerOf(customer.id)).filter((e) => e.kind === 'expire').length, lots, 'an expire entry per lot')
      const events = await ctx.sql(`select 1 from outbox_events where type = 'points.expired' and entity_id = $1`, [accountId])
      t.equal(events.length, 1, 'one event per account')
    }
  })

  await t.test('expiringSoon names the earliest expiry and how much goes then', async (t) => {
    const c = await createCustomer(ctx)
    const a = await adjust(ctx, c.id, 40)
    const b = await adjust(ctx, c.id, 60)
    const at = new Date(Date.now() + 20 * DAY)
    await ctx.sql(`update points_lots set expires_at = $2 where id = $1`, [a.id, at.toISOString()])
    await ctx.sql(`update points_lots set expires_at = $2 where id = $1`, [b.id, new Date(Date.now() + 50 * DAY).toISOString()])
    t.same((await balanceOf(ctx, c.id)).expiringSoon, { amount: 40, at: at.toISOString() })
  })
})
