import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { adjust, balanceOf, createCustomer, LEDGER, ledgerHolds, newId, REDEEM } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')

  await t.test('a redemption takes points first-expiring-first and answers the account; the ledger records it', async (t) => {
    const c = await createCustomer(ctx)
    const first = await adjust(ctx, c.id, 300)
    const second = await adjust(ctx, c.id, 500)
    // The first lot expires sooner than the second.
    await ctx.sql(`update points_lots set expires_at = now() + interval '10 days' where id = $1`, [first.id])
    await ctx.sql(`update points_lots set expires_at = now() + interval '40 days' where id = $1`, [second.id])
    const r = await ctx.gql(pos, REDEEM, { i: { customerId: c.id, amount: 400, orderExternalId: 'POS-1', externalId: newId('RDM') } })
    t.same(r.data.redeemPoints.userErrors, [])
    t.match(r.data.redeemPoints.redemption, { amount: 400, reversedAmount: 0, status: 'completed', orderExternalId: 'POS-1', customerId: c.id })
    t.equal(r.data.redeemPoints.account.balance, 400)
    const ledger = await ctx.gql(ctx.adminToken, LEDGER, { c: c.id, f: { kind: 'redeem' } })
    const entry = ledger.data.pointsLedger.edges[0].node
    t.same(entry.lots, [{ lot: first.id, amount: 300 }, { lot: second.id, amount: 100 }])
    t.equal(entry.amount, -400)
    const b = await balanceOf(ctx, c.id)
    t.match(b, { balance: 400, bookedBalance: 400, expiringSoon: { amount: 400 } })
    const h = await ledgerHolds(ctx, b.accountId!)
    t.same(h, { balance: 400, ledger: 400, lots: 400 })
  })

  await t.test('never overdraws: more than the balance is INSUFFICIENT_POINTS and changes nothing', async (t) => {
    const c = await createCustomer(ctx)
    await adjust(ctx, c.id, 100)
    const r = await ctx.gql(pos, REDEEM, { i: { customerId: c.id, amount: 101, itemCode: 'SKU-1' } })
    t.match(r.data.redeemPoints, { redemption: null, userErrors: [{ field: 'amount', code: 'INSUFFICIENT_POINTS' }] })
    const rest = await ctx.rest(pos, 'POST', '/api/v1/points/redemptions', { customerId: c.id, amount: 101, itemCode: 'SKU-1' })
    t.equal(rest.statusCode, 422)
    t.match(rest.json(), { code: 'CRM_ERR_UNPROCESSABLE', errors: [{ field: 'amount', code: 'INSUFFICIENT_POINTS' }] })
    t.equal((await balanceOf(ctx, c.id)).balance, 100)
  })

  await t.test('500 concurrent redemptions against one account never overdraw', async (t) => {
    const c = await createCustomer(ctx)
    await adjust(ctx, c.id, 1000)
    // As a POS does: a 503 (every pooled connection busy past DATABASE_CONNECT_TIMEOUT_MS on a loaded
    // machine) is retried with the same Idempotency-Key, so each till's redemption lands at most once.
    const redeem = async (i: number) => {
      const key = `till-${i}-${c.id}`
      for (let attempt = 0; ; attempt++) {
        const res = await ctx.rest(pos, 'POST', '/api/v1/points/redemptions', { customerId: c.id, amount: 3, itemCode: `SKU-${i}` }, { 'idempotency-key': key })
        if (res.statusCode !== 503 || attempt >= 20) return res
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
      }
    }
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => redeem(i)))
    const ok = results.filter((r) => r.statusCode === 201).length
    const refused = results.filter((r) => r.statusCode === 422).length
    t.equal(ok + refused, 500, results.find((r) => r.statusCode !== 201 && r.statusCode !== 422)?.body ?? 'only 201 and 422')
    t.equal(ok, 333, 'exactly floor(1000 / 3) succeed')
    const b = await balanceOf(ctx, c.id)
    t.equal(b.balance, 1)
    t.same(await ledgerHolds(ctx, b.accountId!), { balance: 1, ledger: 1, lots: 1 })
  })
})
