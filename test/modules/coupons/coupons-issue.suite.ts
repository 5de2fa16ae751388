import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { hasValidCheck } from '../../../src/rules/coupon-code.js'
import { randomCodes } from '../../../src/modules/coupons/coupons.generate.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { couponBatchesJob } from '../../../src/jobs/coupon-batches.job.js'
import { createCustomer, createTemplate, eventsOf, issue, ISSUE, ISSUE_BATCH, REDEEM } from './support.js'

const DAY = 86_400_000

await forEachDatabase(t, async (t, ctx) => {
  const pos = await ctx.keyToken('integration')
  const marketing = await ctx.staff('marketing')

  await t.test('a coupon issued to a customer: fresh code, its window from the issue, coupon.issued with the code', async (t) => {
    const tpl = await createTemplate(ctx, { validDays: 30 })
    const c = await createCustomer(ctx, { externalId: 'CRM-C-1' })
    const before = Date.now()
    const r = await ctx.gql(pos, ISSUE, { i: { templateId: tpl.id, customerExternalId: 'CRM-C-1' } })
    t.same(r.data.issueCoupon.userErrors, [])
    const coupon = r.data.issueCoupon.coupon
    t.match(coupon, { templateId: tpl.id, customerId: c.id, referrerId: null, status: 'issued', batchId: null, offer: { name: '满100减20', kind: 'amount_off', amountOff: 2000 } })
    t.ok(hasValidCheck(coupon.code))
    t.equal(coupon.displayCode.replace(/-/g, ''), coupon.code)
    const from = Date.parse(coupon.validFrom)
    t.ok(from >= before - 1000 && from <= Date.now())
    t.equal(Date.parse(coupon.validUntil) - from, 30 * DAY)
    const [event] = await eventsOf(ctx, 'coupon.issued', coupon.id)
    t.match(event.data, { via: 'issued', coupon: { id: coupon.id, code: coupon.code, displayCode: coupon.displayCode, customerId: c.id } })
    const byCode = await ctx.gql(pos, `{ couponByCode(code: "${coupon.displayCode.toLowerCase()}") { id template { id name } } }`)
    t.same(byCode.data.couponByCode, { id: coupon.id, template: { id: tpl.id, name: '满100减20' } })
    const mine = await ctx.gql(pos, 'query($id: ID!) { customer(id: $id) { coupons { id status } issued: coupons(status: issued, first: 1) { id } } }', { id: c.id })
    t.same(mine.data.customer, { coupons: [{ id: coupon.id, status: 'issued' }], issued: [{ id: coupon.id }] })
  })

  await t.test('issuing names exactly one holder the caller reaches; a referrer may hold coupons too', async (t) => {
    const tpl = await createTemplate(ctx)
    const c = await createCustomer(ctx)
    const none = await ctx.gql(pos, ISSUE, { i: { templateId: tpl.id } })
    t.match(none.data.issueCoupon.userErrors, [{ field: 'customerId', code: 'REQUIRED' }])
    const ref = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'employee', name: '员工推荐人' })).json()
    const two = await ctx.gql(pos, ISSUE, { i: { templateId: tpl.id, customerId: c.id, referrerId: ref.id } })
    t.match(two.data.issueCoupon.userErrors, [{ code: 'AMBIGUOUS_HOLDER' }])
    const unknown = await ctx.gql(pos, ISSUE, { i: { templateId: '01900000-0000-7000-8000-000000000404', customerId: c.id } })
    t.match(unknown.data.issueCoupon.userErrors, [{ field: 'templateId', code: 'UNKNOWN_TEMPLATE' }])
    const toReferrer = await issue(ctx, tpl.id, { referrerId: ref.id })
    t.match(toReferrer, { referrerId: ref.id, customerId: null })
    const refCoupons = await ctx.gql(pos, 'query($id: ID!) { referrer(id: $id) { coupons { id } } }', { id: ref.id })
    t.same(refCoupons.data.referrer.coupons, [{ id: toReferrer.id }])
    t.equal((await ctx.rest(marketing.token, 'POST', '/api/v1/coupons', { templateId: tpl.id, customerId: c.id })).statusCode, 403, 'marketing reads coupons, does not hand them out one by one')
  })

  await t.test('a small batch is made in the request: unassigned codes, one coupon_batch.completed event; a code is handed out later', async (t) => {
    const tpl = await createTemplate(ctx, { name: '地推券', validDays: 7, totalQuantity: 1000 }, marketing.token)
    const r = await ctx.gql(marketing.token, ISSUE_BATCH, { i: { templateId: tpl.id, quantity: 500 } })
    t.same(r.data.issueCoupons.userErrors, [])
    const batch = r.data.issueCoupons.batch
    t.match(batch, { templateId: tpl.id, quantity: 500, issued: 500, status: 'completed', error: null })
    const [counts] = await ctx.sql<{ n: number; distinct: number; unassigned: number }>(
      'select count(*)::int as n, count(distinct code)::int as distinct, count(*) filter (where customer_id is null and referrer_id is null)::int as unassigned from coupons where batch_id = $1', [batch.id])
    t.same(counts, { n: 500, distinct: 500, unassigned: 500 })
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/coupon-templates/${tpl.id}`)).json().issuedCount, 500)
    t.equal((await eventsOf(ctx, 'coupon_batch.completed', batch.id)).length, 1)
    const [issuedEvents] = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'coupon.issued' and data->'coupon'->>'batchId' = $1", [batch.id])
    t.equal(issuedEvents.n, 0, 'no event per code')

    const csv = await ctx.rest(marketing.token, 'GET', `/api/v1/coupon-batches/${batch.id}/codes`)
    t.equal(csv.statusCode, 200)
    t.match(csv.headers['content-type'], /^text\/csv/)
    const lines = csv.body.trim().split('\n')
    t.equal(lines[0], 'code,displayCode,status,customerId')
    t.equal(lines.length, 501)
    const [code, display] = lines[1].split(',')
    t.ok(hasValidCheck(code))
    const sales = await ctx.staff('sales')
    t.equal((await ctx.rest(sales.token, 'GET', `/api/v1/coupon-batches/${batch.id}/codes`)).statusCode, 403, 'bearer codes are not for a team reach')

    const c = await createCustomer(ctx)
    const later = Date.now()
    const assigned = await ctx.rest(pos, 'POST', '/api/v1/coupons/assignments', { code: display.toLowerCase(), customerId: c.id })
    t.equal(assigned.statusCode, 200)
    t.match(assigned.json(), { code, customerId: c.id, status: 'issued', batchId: batch.id })
    t.ok(Date.parse(assigned.json().validFrom) >= later - 1000, 'validDays start when the code reaches its holder')
    const [event] = await eventsOf(ctx, 'coupon.issued', assigned.json().id)
    t.match(event.data, { via: 'assigned', coupon: { customerId: c.id } })
    const again = await ctx.rest(pos, 'POST', '/api/v1/coupons/assignments', { code, customerId: c.id })
    t.equal(again.statusCode, 422)
    t.match(again.json().errors, [{ code: 'ALREADY_ASSIGNED' }])
    const stranger = await createCustomer(ctx)
    const used = await ctx.gql(pos, REDEEM, { i: { code, customerId: stranger.id, orderAmount: { amount: 20_000 } } })
    t.match(used.data.redeemCoupon.userErrors, [{ code: 'WRONG_CUSTOMER' }], 'once handed out, it is the holder\'s')
    const page = await ctx.gql(marketing.token, 'query($f: CouponFilter) { coupons(first: 10, filter: $f) { edges { node { id } } pageInfo { hasNextPage } totalCount } }', { f: { batchId: batch.id, unassigned: true } })
    t.equal(page.data.coupons.totalCount, 499)
    t.equal(page.data.coupons.edges.length, 10)
  })

  await t.test('a large batch is left to the job (202, pending) and generated by its next pass, codes COPY\'d', async (t) => {
    const tpl = await createTemplate(ctx, { name: '大批量' })
    const r = await ctx.rest(marketing.token, 'POST', `/api/v1/coupon-templates/${tpl.id}/batches`, { quantity: 10_001 })
    t.equal(r.statusCode, 202)
    t.match(r.json(), { quantity: 10_001, issued: 0, status: 'pending', completedAt: null })
    t.equal(r.headers.location, `/api/v1/coupon-batches/${r.json().id}`)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/coupon-templates/${tpl.id}`)).json().issuedCount, 10_001, 'counted at once')
    t.equal(couponBatchesJob.name, 'coupon-batches')
    const pass = await couponBatchesJob.run(ctx.app.services, new Date())
    t.same(pass, { batches: 1, codes: 10_001, failed: 0 })
    t.same(await couponBatchesJob.run(ctx.app.services, new Date()), { batches: 0, codes: 0, failed: 0 }, 'nothing twice')
    const done = await ctx.gql(marketing.token, 'query($id: ID!) { couponBatch(id: $id) { status issued completedAt } }', { id: r.json().id })
    t.match(done.data.couponBatch, { status: 'completed', issued: 10_001 })
    const [n] = await ctx.sql<{ n: number }>('select count(distinct code)::int as n from coupons where batch_id = $1', [r.json().id])
    t.equal(n.n, 10_001)
    t.equal((await eventsOf(ctx, 'coupon_batch.completed', r.json().id)).length, 1)
    const tooMany = await ctx.gql(marketing.token, ISSUE_BATCH, { i: { templateId: tpl.id, quantity: 1_000_001 } })
    t.match(tooMany.data.issueCoupons.userErrors, [{ field: 'quantity' }])
  })

  await t.test('a batch that fails is marked failed with its error, its quantity given back, nothing of it kept', async (t) => {
    const tpl = await createTemplate(ctx, { name: '失败批次', totalQuantity: 20_000 })
    const r = await ctx.rest(marketing.token, 'POST', `/api/v1/coupon-templates/${tpl.id}/batches`, { quantity: 15_000 })
    t.equal(r.statusCode, 202)
    const failing = (): string[] => { throw new Error('entropy source failed') }
    await t.rejects(ctx.app.services.coupons.runPendingBatches(new Date(), failing), /entropy source failed/)
    const batch = (await ctx.rest(marketing.token, 'GET', `/api/v1/coupon-batches/${r.json().id}`)).json()
    t.match(batch, { status: 'failed', issued: 0, error: 'entropy source failed' })
    const [n] = await ctx.sql<{ n: number }>('select count(*)::int as n from coupons where batch_id = $1', [batch.id])
    t.equal(n.n, 0, 'no code of it exists')
    t.equal((await ctx.rest(marketing.token, 'GET', `/api/v1/coupon-templates/${tpl.id}`)).json().issuedCount, 0)
    t.same(await ctx.app.services.coupons.runPendingBatches(new Date()), { batches: 0, codes: 0, failed: 0 }, 'a failed batch is not retried')
  })

  await t.test('a code collision is drawn again: the batch still gets exactly its quantity, all distinct', async (t) => {
    const tpl = await createTemplate(ctx, { name: '撞码' })
    const c = await createCustomer(ctx)
    const held = await issue(ctx, tpl.id, { customerId: c.id })
    // The first draw repeats a code that exists and a code twice within the chunk; later draws are random.
    let draws = 0
    const source = (n: number) => {
      draws++
      if (draws > 1) return randomCodes(n)
      const out = randomCodes(n)
      out[0] = held.code
      out[2] = out[1]
      return out
    }
    const batch = await ctx.app.services.coupons.issueBatch(systemActor, tpl.id, { quantity: 50 }, source)
    t.match(batch, { status: 'completed', issued: 50 })
    const [counts] = await ctx.sql<{ n: number; distinct: number }>('select count(*)::int as n, count(distinct code)::int as distinct from coupons where batch_id = $1', [batch.id])
    t.same(counts, { n: 50, distinct: 50 })
    t.ok(draws >= 2, 'drew again for the collided codes')
    const [still] = await ctx.sql<{ batch_id: string | null }>('select batch_id from coupons where code = $1', [held.code])
    t.equal(still.batch_id, null, 'the held coupon is untouched')
  })

  await t.test("a merged customer's coupons go to the survivor, who may use them", async (t) => {
    const tpl = await createTemplate(ctx, { minOrderAmount: 0 })
    const survivor = await createCustomer(ctx)
    const duplicate = await createCustomer(ctx)
    const coupon = await issue(ctx, tpl.id, { customerId: duplicate.id })
    const m = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { mergedIds userErrors { code } } }', { s: survivor.id, m: [duplicate.id] })
    t.same(m.data.mergeCustomers.userErrors, [])
    const held = (await ctx.rest(pos, 'GET', `/api/v1/coupons?customerId=${survivor.id}`)).json().data
    t.match(held, [{ id: coupon.id, customerId: survivor.id, version: coupon.version + 1 }])
    // The till still knows the merged customer's id: it stands for the survivor.
    const used = await ctx.gql(pos, REDEEM, { i: { code: coupon.code, customerId: duplicate.id, orderAmount: { amount: 5000 } } })
    t.match(used.data.redeemCoupon, { userErrors: [], redemption: { customerId: survivor.id } })
  })

  await t.test('issuing, voiding and reading through GraphQL variables and inline arguments agree', async (t) => {
    const tpl = await createTemplate(ctx)
    const c = await createCustomer(ctx)
    const coupon = await issue(ctx, tpl.id, { customerId: c.id })
    const inline = await ctx.gql(pos, `mutation { voidCoupon(id: "${coupon.id}", reason: "客户要求作废") { coupon { status voidReason voidedAt } userErrors { code } } }`)
    t.match(inline.data.voidCoupon, { coupon: { status: 'voided', voidReason: '客户要求作废' }, userErrors: [] })
    const again = await ctx.rest(pos, 'POST', `/api/v1/coupons/${coupon.id}/void`, { reason: '再次作废' })
    t.equal(again.statusCode, 422)
    t.match(again.json().errors, [{ code: 'ALREADY_VOIDED' }])
    const [event] = await eventsOf(ctx, 'coupon.voided', coupon.id)
    t.match(event.data, { reason: '客户要求作废', coupon: { id: coupon.id, status: 'voided' } })
    const empty = await ctx.rest(pos, 'POST', `/api/v1/coupons/${coupon.id}/void`, { reason: '' })
    t.equal(empty.statusCode, 400)
    t.equal((await ctx.rest(pos, 'POST', '/api/v1/coupons/01900000-0000-7000-8000-000000000404/void', { reason: 'x' })).statusCode, 404)
  })
})
