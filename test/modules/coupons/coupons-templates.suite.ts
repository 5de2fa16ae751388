import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { CREATE_TEMPLATE, createCustomer, createTemplate, issue, ISSUE, UPDATE_TEMPLATE, type Template } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const sales = await ctx.staff('sales')

  await t.test('marketing designs templates of each kind; defaults as documented; REST and GraphQL agree', async (t) => {
    const r = await ctx.gql(marketing.token, CREATE_TEMPLATE, { i: { name: '满200减30', kind: 'amount_off', amountOff: 3000, minOrderAmount: 20_000, validDays: 30, externalId: 'TPL-1' } })
    t.same(r.data.createCouponTemplate.userErrors, [])
    t.match(r.data.createCouponTemplate.template, {
      name: '满200减30', kind: 'amount_off', currency: 'CNY', amountOff: 3000, percentBp: null, minOrderAmount: 20_000, validDays: 30,
      perCustomerLimit: null, totalQuantity: null, issuedCount: 0, stackable: false, restoreOnRefund: true, active: true, version: 1, externalId: 'TPL-1'
    })
    const id = r.data.createCouponTemplate.template.id
    const rest = await ctx.rest(sales.token, 'GET', `/api/v1/coupon-templates/${id}`)
    t.equal(rest.statusCode, 200, 'sales reads the set-up')
    t.equal(rest.headers.etag, '"1"')
    t.match(rest.json(), { id, amountOff: 3000, validDays: 30 })
    const gift = await ctx.rest(marketing.token, 'POST', '/api/v1/coupon-templates', { name: '到店礼', kind: 'gift', giftItemCode: 'SKU-MUG', stackable: true, restoreOnRefund: false })
    t.equal(gift.statusCode, 201)
    t.match(gift.json(), { kind: 'gift', giftItemCode: 'SKU-MUG', stackable: true, restoreOnRefund: false })
    const pct = await ctx.gql(marketing.token, `mutation { createCouponTemplate(input: { name: "9折", kind: percent_off, percentBp: 1000, maxDiscount: 5000, perCustomerLimit: 2, totalQuantity: 100 }) {
      template { kind percentBp maxDiscount perCustomerLimit totalQuantity } userErrors { field code } } }`)
    t.same(pct.data.createCouponTemplate, { template: { kind: 'percent_off', percentBp: 1000, maxDiscount: 5000, perCustomerLimit: 2, totalQuantity: 100 }, userErrors: [] })
    const list = await ctx.gql(sales.token, '{ couponTemplates(first: 2, filter: { kind: gift }) { edges { node { name } } totalCount } }')
    t.ok(list.data.couponTemplates.totalCount >= 1)
    t.ok(list.data.couponTemplates.edges.every((e: { node: { name: string } }) => e.node.name === '到店礼'))
    const restList = await ctx.rest(sales.token, 'GET', '/api/v1/coupon-templates?limit=1')
    t.equal(restList.json().data.length, 1)
    t.type(restList.json().nextCursor, 'string')
  })

  await t.test('what each kind needs is checked, every problem on its field, nothing written', async (t) => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ kind: 'amount_off' }, ['amountOff:REQUIRED']],
      [{ kind: 'percent_off', maxDiscount: 100 }, ['percentBp:REQUIRED']],
      [{ kind: 'gift', amountOff: 5 }, ['amountOff:NOT_APPLICABLE', 'giftItemCode:REQUIRED']],
      [{ kind: 'amount_off', amountOff: 100, validFrom: '2026-05-01T00:00:00+08:00', validUntil: '2026-04-01T00:00:00+08:00' }, ['validUntil:BEFORE_START']],
      [{ kind: 'amount_off', amountOff: 0 }, ['amountOff:INVALID']],
      [{ kind: 'percent_off', percentBp: 10_001 }, ['percentBp:INVALID']],
      [{ kind: 'amount_off', amountOff: 100, campaignId: '01900000-0000-7000-8000-000000000bad' }, ['campaignId:UNKNOWN_REFERENCE']],
      [{ kind: 'amount_off', amountOff: 100, currency: 'cny' }, ['currency:INVALID']]
    ]
    for (const [input, want] of cases) {
      const r = await ctx.gql(marketing.token, CREATE_TEMPLATE, { i: { name: 'bad', ...input } })
      t.same(r.data.createCouponTemplate.userErrors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`), want, JSON.stringify(input))
    }
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/coupon-templates', { name: 'bad', kind: 'amount_off' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: 'amountOff', code: 'REQUIRED' }])
    const [row] = await ctx.sql<{ n: number }>("select count(*)::int as n from coupon_templates where name = 'bad'")
    t.equal(row.n, 0)
  })

  await t.test('roles: sales and service read but do not write templates; a referrer neither', async (t) => {
    const service = await ctx.staff('service')
    t.equal((await ctx.rest(sales.token, 'POST', '/api/v1/coupon-templates', { name: 'x', kind: 'gift', giftItemCode: 'A' })).statusCode, 403)
    t.equal((await ctx.rest(service.token, 'POST', '/api/v1/coupon-templates', { name: 'x', kind: 'gift', giftItemCode: 'A' })).statusCode, 403)
    const ref = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: '渠道乙' })
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.json().id })).json().accessToken
    t.equal((await ctx.rest(token, 'GET', '/api/v1/coupon-templates')).statusCode, 403)
    const g = await ctx.gql(token, '{ couponTemplates { totalCount } }')
    t.match(g.errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('an update changes the given fields (If-Match), and what a coupon gives is fixed once one is issued', async (t) => {
    const tpl = await createTemplate(ctx, { name: '改名前' }, marketing.token)
    const stale = await ctx.rest(marketing.token, 'PATCH', `/api/v1/coupon-templates/${tpl.id}`, { name: '改名后' }, { 'if-match': '"7"' })
    t.equal(stale.statusCode, 412)
    const ok = await ctx.rest(marketing.token, 'PATCH', `/api/v1/coupon-templates/${tpl.id}`, { name: '改名后', amountOff: 2500 }, { 'if-match': '"1"' })
    t.equal(ok.statusCode, 200)
    t.match(ok.json(), { name: '改名后', amountOff: 2500, version: 2 })
    t.equal(ok.headers.etag, '"2"')
    const same = await ctx.gql(marketing.token, UPDATE_TEMPLATE, { id: tpl.id, i: { name: '改名后' } })
    t.equal(same.data.updateCouponTemplate.template.version, 2, 'no change, no new version')
    const c = await createCustomer(ctx)
    await issue(ctx, tpl.id, { customerId: c.id })
    const fixed = await ctx.gql(marketing.token, UPDATE_TEMPLATE, { id: tpl.id, i: { amountOff: 9900 } })
    t.match(fixed.data.updateCouponTemplate, { template: null, userErrors: [{ field: 'amountOff', code: 'OFFER_FIXED' }] })
    const allowed = await ctx.gql(marketing.token, UPDATE_TEMPLATE, { id: tpl.id, i: { minOrderAmount: 5000, active: false, description: '暂停发放' } })
    t.match(allowed.data.updateCouponTemplate.template, { minOrderAmount: 5000, active: false, issuedCount: 1, version: 3 })
    const [audit] = await ctx.sql<{ changes: Record<string, unknown> }>("select changes from audit_entries where action = 'coupon_template.updated' and entity_id = $1 order by at desc limit 1", [tpl.id])
    t.match(audit.changes, { active: { from: true, to: false }, minOrderAmount: { from: 10_000, to: 5000 } })
    const inactive = await ctx.gql(ctx.adminToken, ISSUE, { i: { templateId: tpl.id, customerId: c.id } })
    t.match(inactive.data.issueCoupon.userErrors, [{ field: 'templateId', code: 'TEMPLATE_INACTIVE' }])
    const below = await ctx.gql(marketing.token, UPDATE_TEMPLATE, { id: tpl.id, i: { totalQuantity: 0 } })
    t.match(below.data.updateCouponTemplate.userErrors, [{ field: 'totalQuantity' }])
    t.equal((await ctx.gql(marketing.token, UPDATE_TEMPLATE, { id: '01900000-0000-7000-8000-000000000404', i: { name: 'x' } })).errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test('the total quantity is never passed, even by 30 concurrent issues and batches', async (t) => {
    const tpl: Template = await createTemplate(ctx, { name: '限量10张', totalQuantity: 10 })
    const c = await createCustomer(ctx)
    const results = await Promise.all(Array.from({ length: 30 }, () => ctx.rest(ctx.adminToken, 'POST', '/api/v1/coupons', { templateId: tpl.id, customerId: c.id })))
    t.equal(results.filter((r) => r.statusCode === 201).length, 10)
    const soldOut = results.filter((r) => r.statusCode === 422)
    t.equal(soldOut.length, 20)
    t.match(soldOut[0].json().errors, [{ field: 'templateId', code: 'SOLD_OUT', message: 'the template has 0 of its 10 coupons left, not 1' }])
    const batch = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/coupon-templates/${tpl.id}/batches`, { quantity: 1 })
    t.equal(batch.statusCode, 422)
    t.match(batch.json().errors, [{ field: 'quantity', code: 'SOLD_OUT' }])
    const [row] = await ctx.sql<{ issued: number; coupons: number }>('select issued_count as issued, (select count(*)::int from coupons where template_id = $1) as coupons from coupon_templates where id = $1', [tpl.id])
    t.same(row, { issued: 10, coupons: 10 })
  })
})
