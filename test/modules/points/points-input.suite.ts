import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { adjust, ADJUST, balanceOf, createCustomer, LEDGER, newId, REDEEM } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const c = await createCustomer(ctx, { externalId: newId('CUST') })
  await adjust(ctx, c.id, 1000)

  await t.test('a redemption names exactly one holder and what it pays for; bad values name the field', async (t) => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ amount: 10, itemCode: 'X' }, 'customerId', 'REQUIRED'],
      [{ customerId: c.id, referrerId: c.id, amount: 10, itemCode: 'X' }, 'referrerId', 'AMBIGUOUS_HOLDER'],
      [{ customerId: c.id, amount: 10 }, 'orderExternalId', 'REQUIRED'],
      [{ customerId: c.id, amount: 0, itemCode: 'X' }, 'amount', ''],
      [{ customerId: c.id, amount: 1e13, itemCode: 'X' }, 'amount', ''],
      [{ customerId: '00000000-0000-7000-8000-000000000000', amount: 1, itemCode: 'X' }, 'customerId', 'UNKNOWN_CUSTOMER'],
      [{ customerId: c.id, amount: 1, itemCode: ' ' }, 'itemCode', ''],
      [{ customerId: c.id, amount: 1, orderId: '00000000-0000-7000-8000-000000000000' }, 'orderId', 'UNKNOWN_ORDER']
    ]
    for (const [input, field, code] of cases) {
      const r = await ctx.gql(pos, REDEEM, { i: input })
      const errors = r.data?.redeemPoints?.userErrors ?? r.errors
      t.ok(Array.isArray(errors) && errors.length > 0, `${JSON.stringify(input)} is refused`)
      if (r.data?.redeemPoints) t.match(r.data.redeemPoints.userErrors, [{ field, ...(code ? { code } : {}) }], JSON.stringify(input))
      const rest = await ctx.rest(pos, 'POST', '/api/v1/points/redemptions', input)
      t.ok(rest.statusCode === 400 || rest.statusCode === 422, `REST ${rest.statusCode}`)
    }
    t.equal((await balanceOf(ctx, c.id)).balance, 1000, 'nothing changed')
    const inline = await ctx.gql(pos, `mutation { redeemPoints(input: { customerExternalId: "${c.externalId}", amount: 5, itemCode: "杯子" }) { redemption { amount customerId } userErrors { field } } }`)
    t.match(inline.data.redeemPoints, { redemption: { amount: 5, customerId: c.id }, userErrors: [] }, 'inline arguments and the customer by external id')
  })

  await t.test('a retried redemption with the same externalId answers the first; with other values it is a CONFLICT', async (t) => {
    const externalId = newId('RDM')
    const input = { customerId: c.id, amount: 7, orderExternalId: 'POS-9', externalId }
    const [a, b] = await Promise.all([ctx.gql(pos, REDEEM, { i: input }), ctx.gql(pos, REDEEM, { i: input })])
    t.equal(a.data.redeemPoints.redemption.id, b.data.redeemPoints.redemption.id, 'concurrent retries: one redemption')
    const other = await ctx.gql(pos, REDEEM, { i: { ...input, amount: 8 } })
    t.match(other.data.redeemPoints.userErrors, [{ field: 'externalId', code: 'TAKEN' }])
    const key = newId('KEY')
    const first = await ctx.rest(pos, 'POST', '/api/v1/points/redemptions', { customerId: c.id, amount: 3, itemCode: 'K' }, { 'idempotency-key': key })
    const replay = await ctx.rest(pos, 'POST', '/api/v1/points/redemptions', { customerId: c.id, amount: 3, itemCode: 'K' }, { 'idempotency-key': key })
    t.equal(first.statusCode, 201)
    t.equal(replay.json().redemption.id, first.json().redemption.id, 'Idempotency-Key replays the first answer')
    t.equal((await balanceOf(ctx, c.id)).balance, 1000 - 5 - 7 - 3)
  })

  await t.test('adjustments: a reason is required, 0 is refused, a debit never overdraws; roles', async (t) => {
    const zero = await ctx.gql(ctx.adminToken, ADJUST, { i: { customerId: c.id, amount: 0, reason: 'x' } })
    t.match(zero.data.adjustPoints.userErrors, [{ field: 'amount' }])
    const noReason = await ctx.gql(ctx.adminToken, ADJUST, { i: { customerId: c.id, amount: 5 } })
    t.match(noReason.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
    const blank = await ctx.gql(ctx.adminToken, ADJUST, { i: { customerId: c.id, amount: 5, reason: '' } })
    t.match(blank.data.adjustPoints.userErrors, [{ field: 'reason' }])
    const over = await ctx.gql(ctx.adminToken, ADJUST, { i: { customerId: c.id, amount: -1_000_000, reason: '更正' } })
    t.match(over.data.adjustPoints.userErrors, [{ field: 'amount', code: 'INSUFFICIENT_POINTS' }])
    const service = await ctx.staff('service')
    t.same((await ctx.gql(service.token, ADJUST, { i: { customerId: c.id, amount: 10, reason: '补偿' } })).data.adjustPoints.userErrors, [], 'service gives goodwill points')
    const marketing = await ctx.staff('marketing')
    t.match((await ctx.gql(marketing.token, ADJUST, { i: { customerId: c.id, amount: 10, reason: 'x' } })).errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('reach: a sales rep reads the points of the team’s customers only and cannot redeem; marketing reads all', async (t) => {
    const team = await ctx.createTeam()
    const rep = await ctx.staff('sales', { teamId: team })
    const mine = await createCustomer(ctx, { ownerId: rep.userId })
    await adjust(ctx, mine.id, 50)
    const POINTS = 'query($id: ID!) { customer(id: $id) { points { balance } } }'
    t.equal((await ctx.gql(rep.token, POINTS, { id: mine.id })).data.customer.points.balance, 50)
    t.equal((await ctx.gql(rep.token, POINTS, { id: c.id })).data.customer, null, 'another owner’s customer is not there')
    t.match((await ctx.gql(rep.token, LEDGER, { c: c.id })).errors, [{ extensions: { code: 'NOT_FOUND' } }])
    t.equal((await ctx.gql(rep.token, LEDGER, { c: mine.id })).data.pointsLedger.totalCount, 1)
    t.equal((await ctx.rest(rep.token, 'POST', '/api/v1/points/redemptions', { customerId: mine.id, amount: 1, itemCode: 'X' })).statusCode, 403)
    const marketing = await ctx.staff('marketing')
    t.equal((await ctx.gql(marketing.token, POINTS, { id: mine.id })).data.customer.points.balance, 50)
    const ledgerPage = await ctx.gql(ctx.adminToken, LEDGER, { c: c.id, first: 2 })
    t.equal(ledgerPage.data.pointsLedger.edges.length, 2)
    const next = await ctx.gql(ctx.adminToken, LEDGER, { c: c.id, first: 200, after: ledgerPage.data.pointsLedger.pageInfo.endCursor })
    t.equal(next.data.pointsLedger.edges.length + 2, ledgerPage.data.pointsLedger.totalCount, 'pages neither skip nor repeat')
    t.match((await ctx.gql(ctx.adminToken, LEDGER, { c: c.id, first: 201 })).errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
  })

  await t.test('settings: the expiry policy is data; validated; a change applies to later lots', async (t) => {
    const UPDATE = 'mutation($i: UpdateLoyaltySettingsInput!) { updateLoyaltySettings(input: $i) { settings { expiryMonths expiryRounding timeZone version } userErrors { field code } } }'
    t.match((await ctx.gql(ctx.adminToken, '{ loyaltySettings { expiryMonths expiryRounding timeZone } }')).data.loyaltySettings, { expiryMonths: 12, expiryRounding: 'month_end', timeZone: 'Asia/Shanghai' })
    t.match((await ctx.gql(ctx.adminToken, UPDATE, { i: { timeZone: 'Mars/Olympus' } })).data.updateLoyaltySettings.userErrors, [{ field: 'timeZone' }])
    t.match((await ctx.gql(ctx.adminToken, UPDATE, { i: { expiryMonths: 121 } })).data.updateLoyaltySettings.userErrors, [{ field: 'expiryMonths' }])
    const sales = await ctx.staff('sales')
    t.match((await ctx.gql(sales.token, UPDATE, { i: { expiryMonths: 0 } })).errors, [{ extensions: { code: 'FORBIDDEN' } }])
    t.match((await ctx.gql(ctx.adminToken, UPDATE, { i: { expiryMonths: 0 } })).data.updateLoyaltySettings.settings, { expiryMonths: 0, version: 2 })
    const entry = await adjust(ctx, c.id, 1)
    t.equal(entry.expiresAt, null, 'points earned now never expire')
    const rest = await ctx.rest(ctx.adminToken, 'PATCH', '/api/v1/loyalty/settings', { expiryMonths: 24, expiryRounding: 'exact' })
    t.match(rest.json(), { expiryMonths: 24, expiryRounding: 'exact', version: 3 })
  })
})
