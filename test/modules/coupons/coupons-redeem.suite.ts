import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import {
  createCustomer, createTemplate, eventsOf, issue, newId, recordOrder, REDEEM, typo, unusedCode, VALIDATE, VOID
} from './support.js'

const CNY = (amount: number) => ({ amount, currency: 'CNY' })

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const fixed = await createTemplate(ctx, { name: '满100减20', amountOff: 2000, minOrderAmount: 10_000 })
  const percent = await createTemplate(ctx, { name: '85折封顶30', kind: 'percent_off', amountOff: null, percentBp: 1500, maxDiscount: 3000, minOrderAmount: 0 })

  await t.test('validate answers the discount without using the coupon; the code may be typed in any case, with spaces or hyphens', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, fixed.id, { customerId: c.id })
    t.match(coupon.displayCode, /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]$/)
    const typed = coupon.displayCode.toLowerCase().replace(/-/g, ' ')
    const r = await ctx.gql(pos, VALIDATE, { code: typed, c: c.id, amount: CNY(12_000) })
    t.same(r.data.validateCoupon, {
      valid: true, reason: null, message: '2000 off (amount_off 2000)', discount: CNY(2000), giftItemCode: null, stackable: false,
      coupon: { id: coupon.id, status: 'issued' }
    })
    const rest = await ctx.rest(pos, 'POST', '/api/v1/coupons/validate', { code: coupon.displayCode, customerId: c.id, orderAmount: { amount: 12_000 } })
    t.equal(rest.statusCode, 200)
    t.match(rest.json(), { valid: true, discount: CNY(2000) })
    // Inline arguments read the same as variables.
    const inline = await ctx.gql(pos, `{ validateCoupon(code: "${coupon.code}", customerId: "${c.id}", orderAmount: { amount: 30000 }) { valid discount { amount } } }`)
    t.same(inline.data.validateCoupon, { valid: true, discount: { amount: 2000 } })
    const still = await ctx.rest(pos, 'GET', `/api/v1/coupons/${coupon.id}`)
    t.equal(still.json().status, 'issued', 'validating used nothing')
  })

  await t.test('a mistyped code is INVALID_CODE, a well-formed unknown one NOT_FOUND: on validate, redeem and lookup', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, fixed.id, { customerId: c.id })
    const bad = typo(coupon.code)
    const v = await ctx.gql(pos, VALIDATE, { code: bad, c: c.id, amount: CNY(20_000) })
    t.match(v.data.validateCoupon, { valid: false, reason: 'INVALID_CODE', message: /mistyped/, discount: null, coupon: null })
    const unknown = await ctx.gql(pos, VALIDATE, { code: unusedCode(), c: c.id, amount: CNY(20_000) })
    t.match(unknown.data.validateCoupon, { valid: false, reason: 'NOT_FOUND', coupon: null })
    const short = await ctx.rest(pos, 'POST', '/api/v1/coupons/validate', { code: 'ABC', orderAmount: { amount: 1 } })
    t.match(short.json(), { valid: false, reason: 'INVALID_CODE', message: /13 letters and digits/ })

    const redeemBad = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: bad, customerId: c.id, orderAmount: { amount: 20_000 } })
    t.equal(redeemBad.statusCode, 400)
    t.match(redeemBad.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'code', code: 'INVALID_CODE' }] })
    const redeemUnknown = await ctx.gql(pos, REDEEM, { i: { code: unusedCode(), customerId: c.id, orderAmount: CNY(20_000) } })
    t.match(redeemUnknown.data.redeemCoupon, { redemption: null, userErrors: [{ field: 'code', code: 'NOT_FOUND' }] })
    const lookup = await ctx.rest(pos, 'GET', `/api/v1/coupons/by-code/${bad}`)
    t.equal(lookup.statusCode, 400)
    t.match(lookup.json().errors, [{ field: 'code', code: 'INVALID_CODE' }])
    t.equal((await ctx.rest(pos, 'GET', `/api/v1/coupons/by-code/${unusedCode()}`)).statusCode, 404)
    const zh = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: bad, customerId: c.id, orderAmount: { amount: 20_000 } }, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors, [{ field: 'code', code: 'INVALID_CODE', message: /^不是有效的券码/ }])
  })

  await t.test('each reason a coupon does not apply, in words, on validate and on redeem', async (t) => {
    const alice = await createCustomer(ctx)
    const bob = await createCustomer(ctx)
    const window = await createTemplate(ctx, { validFrom: new Date(Date.now() + 86_400_000).toISOString(), validUntil: new Date(Date.now() + 10 * 86_400_000).toISOString() })
    const past = await createTemplate(ctx, { validFrom: '2020-01-01T00:00:00+08:00', validUntil: '2020-02-01T00:00:00+08:00' })
    const usd = await createTemplate(ctx, { currency: 'USD' })
    const cases: [string, string, Record<string, unknown>][] = [
      ['WRONG_CUSTOMER', (await issue(ctx, fixed.id, { customerId: alice.id })).code, { c: bob.id }],
      ['CUSTOMER_REQUIRED', (await issue(ctx, fixed.id, { customerId: alice.id })).code, {}],
      ['BELOW_MINIMUM', (await issue(ctx, fixed.id, { customerId: alice.id })).code, { c: alice.id, amount: CNY(9_999) }],
      ['NOT_STARTED', (await issue(ctx, window.id, { customerId: alice.id })).code, { c: alice.id }],
      ['EXPIRED', (await issue(ctx, past.id, { customerId: alice.id })).code, { c: alice.id }],
      ['CURRENCY_MISMATCH', (await issue(ctx, usd.id, { customerId: alice.id })).code, { c: alice.id }]
    ]
    for (const [reason, code, args] of cases) {
      const v = await ctx.gql(pos, VALIDATE, { code, amount: CNY(50_000), ...args })
      t.match(v.data.validateCoupon, { valid: false, reason, discount: null, coupon: { status: 'issued' } }, reason)
      t.ok(v.data.validateCoupon.message.length > 5)
      const r = await ctx.gql(pos, REDEEM, { i: { code, customerId: args.c ?? null, orderAmount: args.amount ?? CNY(50_000) } })
      t.match(r.data.redeemCoupon, { redemption: null, userErrors: [{ field: 'code', code: reason }] }, `redeem ${reason}`)
    }
    const [, belowCode] = cases[2]
    const zh = await ctx.rest(pos, 'POST', '/api/v1/coupons/validate', { code: belowCode, customerId: alice.id, orderAmount: { amount: 100 } }, { 'accept-language': 'zh-CN' })
    t.match(zh.json(), { valid: false, reason: 'BELOW_MINIMUM', message: '订单金额低于该优惠券的最低消费 10000' })
    t.equal(zh.headers['content-language'], 'zh-Hans')
    const gzh = await ctx.gql(pos, VALIDATE, { code: belowCode, c: alice.id, amount: CNY(100) }, { 'accept-language': 'zh' })
    t.equal(gzh.data.validateCoupon.message, '订单金额低于该优惠券的最低消费 10000')
    const voided = await issue(ctx, fixed.id, { customerId: alice.id })
    await ctx.gql(pos, VOID, { id: voided.id, r: '客户投诉补偿后作废' })
    t.match((await ctx.gql(pos, VALIDATE, { code: voided.code, c: alice.id, amount: CNY(50_000) })).data.validateCoupon, { valid: false, reason: 'VOIDED' })
    const rest = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: voided.code, customerId: alice.id, orderAmount: { amount: 50_000 } })
    t.equal(rest.statusCode, 422)
    t.match(rest.json(), { code: 'CRM_ERR_UNPROCESSABLE', errors: [{ field: 'code', code: 'VOIDED' }] })
  })

  await t.test('redeem uses the coupon once, records the order, answers the discount; the second try is ALREADY_REDEEMED', async (t) => {
    const c = await createCustomer(ctx, { externalId: newId('CUST') })
    const coupon = await issue(ctx, percent.id, { customerId: c.id })
    const order = await recordOrder(ctx, c.id, 15_000)
    const r = await ctx.gql(pos, REDEEM, { i: { code: coupon.displayCode, customerExternalId: c.externalId, orderAmount: CNY(15_000), orderExternalId: order.externalId } })
    t.same(r.data.redeemCoupon.userErrors, [])
    t.match(r.data.redeemCoupon.redemption, {
      couponId: coupon.id, templateId: percent.id, customerId: c.id, orderId: order.id, orderExternalId: order.externalId,
      orderAmount: CNY(15_000), discount: CNY(2250), giftItemCode: null, restoredAt: null
    })
    t.match(r.data.redeemCoupon.coupon, { id: coupon.id, status: 'redeemed', version: coupon.version + 1 })
    const again = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: c.id, orderAmount: CNY(15_000) } })
    t.match(again.data.redeemCoupon, { redemption: null, userErrors: [{ field: 'code', code: 'ALREADY_REDEEMED', message: 'the coupon has already been used' }] })
    t.match((await ctx.gql(pos, VALIDATE, { code: coupon.code, c: c.id, amount: CNY(15_000) })).data.validateCoupon, { valid: false, reason: 'ALREADY_REDEEMED' })
    const [event] = await eventsOf(ctx, 'coupon.redeemed', coupon.id)
    t.match(event.data, { coupon: { id: coupon.id, code: coupon.code, status: 'redeemed' }, redemption: { discount: { amount: 2250 }, orderId: order.id } })
    // A capped percentage.
    const big = await issue(ctx, percent.id, { customerId: c.id })
    const capped = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: big.code, customerId: c.id, orderAmount: { amount: 1_000_000 }, orderExternalId: 'POS-77' })
    t.equal(capped.statusCode, 201)
    t.match(capped.json(), { redemption: { discount: CNY(3000), orderId: null, orderExternalId: 'POS-77' }, coupon: { status: 'redeemed' } })
    t.match(capped.headers.location, /^\/api\/v1\/coupons\/redemptions\//)
  })

  await t.test('100 concurrent redemptions of one code: exactly one succeeds, the other 99 get ALREADY_REDEEMED', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, fixed.id, { customerId: c.id })
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: coupon.code, customerId: c.id, orderAmount: { amount: 20_000 }, orderExternalId: `TILL-${i}` })))
    const ok = results.filter((r) => r.statusCode === 201)
    const refused = results.filter((r) => r.statusCode === 422 && r.json().errors?.[0]?.code === 'ALREADY_REDEEMED')
    t.equal(ok.length, 1, 'one succeeds')
    t.equal(refused.length, 99, results.find((r) => r.statusCode !== 201 && r.statusCode !== 422)?.body ?? 'the rest are ALREADY_REDEEMED')
    const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from coupon_redemptions where coupon_id = $1', [coupon.id])
    t.equal(row.n, 1, 'one redemption recorded')
    t.equal((await eventsOf(ctx, 'coupon.redeemed', coupon.id)).length, 1)
  })

  await t.test('the same Idempotency-Key replays the first answer; a new key is a new try', async (t) => {
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, fixed.id, { customerId: c.id })
    const body = { code: coupon.code, customerId: c.id, orderAmount: { amount: 20_000 }, orderExternalId: 'POS-IDEM-1' }
    const key = { 'idempotency-key': newId('KEY') }
    const first = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', body, key)
    const replay = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', body, key)
    t.equal(first.statusCode, 201)
    t.equal(replay.statusCode, 201)
    t.equal(replay.headers['idempotent-replayed'], 'true')
    t.same(replay.json(), first.json())
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', body, { 'idempotency-key': 'same-till-retry' })))
    // One of these runs (ALREADY_REDEEMED, stored); the rest replay it or are told it is still running.
    for (const r of concurrent) t.ok([422, 409].includes(r.statusCode), `${r.statusCode}`)
    t.ok(concurrent.some((r) => r.statusCode === 422 && r.json().errors[0].code === 'ALREADY_REDEEMED'))
    const other = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', body, { 'idempotency-key': newId('KEY') })
    t.equal(other.statusCode, 422)
    // GraphQL: the key in the extensions.
    const g = await createCustomer(ctx)
    const gc = await issue(ctx, fixed.id, { customerId: g.id })
    const gkey = newId('GKEY')
    const send = () => ctx.app.inject({
      method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${pos}` },
      payload: { query: REDEEM, variables: { i: { code: gc.code, customerId: g.id, orderAmount: CNY(20_000) } }, extensions: { idempotencyKey: gkey } }
    })
    const g1 = (await send()).json()
    const g2 = await send()
    t.same(g1.data.redeemCoupon.userErrors, [])
    t.same(g2.json(), g1)
    t.equal(g2.headers['idempotent-replayed'], 'true')
  })

  await t.test('an unassigned code is used by whoever presents it; a per-customer limit holds under concurrent uses of different codes', async (t) => {
    const once = await createTemplate(ctx, { name: '每人限用一次', amountOff: 500, minOrderAmount: 0, perCustomerLimit: 1 })
    const batch = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/coupon-templates/${once.id}/batches`, { quantity: 12 })
    t.equal(batch.statusCode, 201)
    const codes = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/coupons?batchId=${batch.json().id}&limit=50`)).json().data.map((c: { code: string }) => c.code)
    t.equal(codes.length, 12)
    const walkIn = await ctx.gql(pos, REDEEM, { i: { code: codes[0], orderAmount: CNY(100) } })
    t.match(walkIn.data.redeemCoupon.userErrors, [{ code: 'CUSTOMER_REQUIRED' }], 'a limited offer must know its buyer')
    const c = await createCustomer(ctx)
    const results = await Promise.all(codes.slice(0, 10).map((code: string) =>
      ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code, customerId: c.id, orderAmount: { amount: 1000 } })))
    t.equal(results.filter((r) => r.statusCode === 201).length, 1, 'one use for the customer')
    t.equal(results.filter((r) => r.statusCode === 422 && r.json().errors[0].code === 'LIMIT_REACHED').length, 9)
    const other = await createCustomer(ctx)
    const theirs = await ctx.rest(pos, 'POST', '/api/v1/coupons/redemptions', { code: codes[10], customerId: other.id, orderAmount: { amount: 1000 } })
    t.equal(theirs.statusCode, 201, 'another customer has their own use')
    const free = await createTemplate(ctx, { name: '无门槛5元', amountOff: 500, minOrderAmount: 0 })
    const fb = (await ctx.gql(ctx.adminToken, 'mutation($i: IssueCouponsInput!) { issueCoupons(input: $i) { batch { id } } }', { i: { templateId: free.id, quantity: 1 } })).data.issueCoupons.batch
    const [code] = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/coupons?batchId=${fb.id}`)).json().data.map((x: { code: string }) => x.code)
    const anon = await ctx.gql(pos, REDEEM, { i: { code, orderAmount: CNY(300) } })
    t.match(anon.data.redeemCoupon, { userErrors: [], redemption: { customerId: null, discount: CNY(300) } }, 'no more than the order')
  })

  await t.test('orderId must be the buyer\'s order and names the buyer when none is given', async (t) => {
    const c = await createCustomer(ctx)
    const other = await createCustomer(ctx)
    const order = await recordOrder(ctx, c.id, 50_000)
    const coupon = await issue(ctx, fixed.id, { customerId: c.id })
    const wrong = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: other.id, orderId: order.id, orderAmount: CNY(50_000) } })
    t.match(wrong.data.redeemCoupon.userErrors, [{ field: 'orderId', code: 'UNKNOWN_ORDER' }])
    const r = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, orderId: order.id, orderAmount: CNY(50_000) } })
    t.match(r.data.redeemCoupon, { userErrors: [], redemption: { customerId: c.id, orderId: order.id, orderExternalId: null } })
  })

  await t.test('roles: sales reads its team\'s coupons, marketing reads all, neither redeems; a referrer sees only its own', async (t) => {
    const team = await ctx.createTeam()
    const rep = await ctx.staff('sales', { teamId: team })
    const outsider = await ctx.staff('sales')
    const marketing = await ctx.staff('marketing')
    const service = await ctx.staff('service')
    const mine = await createCustomer(ctx, { ownerId: rep.userId })
    const coupon = await issue(ctx, fixed.id, { customerId: mine.id })
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/coupons/${coupon.id}`)).statusCode, 200)
    t.equal((await ctx.rest(outsider.token, 'GET', `/api/v1/coupons/${coupon.id}`)).statusCode, 404)
    const named = await ctx.gql(outsider.token, VALIDATE, { code: coupon.code, c: mine.id, amount: CNY(20_000) })
    t.match(named.errors, [{ extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }] } }], 'a customer outside the team is unknown')
    t.match((await ctx.gql(outsider.token, VALIDATE, { code: coupon.code, amount: CNY(20_000) })).data.validateCoupon, { valid: false, reason: 'NOT_FOUND', coupon: null })
    t.equal((await ctx.rest(marketing.token, 'GET', `/api/v1/coupons/by-code/${coupon.code}`)).statusCode, 200)
    const body = { code: coupon.code, customerId: mine.id, orderAmount: { amount: 20_000 } }
    t.equal((await ctx.rest(rep.token, 'POST', '/api/v1/coupons/redemptions', body)).statusCode, 403)
    t.equal((await ctx.rest(marketing.token, 'POST', '/api/v1/coupons/redemptions', body)).statusCode, 403)
    const ref = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: '推荐人甲' })
    const referrerId = ref.json().id
    const own = await issue(ctx, fixed.id, { referrerId })
    const tok = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId })
    const referrer = tok.json().accessToken
    const list = await ctx.rest(referrer, 'GET', '/api/v1/coupons')
    t.same(list.json().data.map((c: { id: string }) => c.id), [own.id], 'only its own')
    t.match(list.json().data[0].offer, { name: '满100减20', amountOff: 2000 })
    t.equal((await ctx.rest(referrer, 'GET', `/api/v1/coupons/${coupon.id}`)).statusCode, 404)
    t.equal((await ctx.rest(referrer, 'POST', '/api/v1/coupons/redemptions', body)).statusCode, 403)
    const svc = await ctx.rest(service.token, 'POST', '/api/v1/coupons/redemptions', body)
    t.equal(svc.statusCode, 201, 'service redeems')
  })
})
