import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { auditOf, createCustomer, eventsOf, newId, UPSERT } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const erp = await ctx.keyToken('integration')
  const customer = await createCustomer(ctx, { externalId: newId('CUST') })
  const put = (externalId: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    ctx.rest(erp, 'PUT', `/api/v1/orders/by-external-id/${encodeURIComponent(externalId)}`, body, headers)

  await t.test('PUT by externalId records a new order (201), then answers 200 with it unchanged when nothing differs', async (t) => {
    const externalId = newId()
    const body = { customerExternalId: customer.externalId, amount: { amount: 30000 }, paidAt: '2025-07-01T08:00:00Z', note: 'first' }
    const created = await put(externalId, body)
    t.equal(created.statusCode, 201)
    t.match(created.json(), { externalId, customerId: customer.id, amount: { amount: 30000 }, version: 1 })
    const same = await put(externalId, body)
    t.equal(same.statusCode, 200)
    t.same(same.json(), created.json(), 'nothing changed, not even the version')
    t.same((await eventsOf(ctx, created.json().id)).map((e) => e.type), ['order.recorded'])
  })

  await t.test('PUT corrects note, attributes, paidAt and the amount: audited as order.updated, no webhook event', async (t) => {
    const externalId = newId()
    const first = (await put(externalId, { customerId: customer.id, amount: { amount: 10000 }, paidAt: '2025-07-02T08:00:00Z' })).json()
    const res = await put(externalId, { customerId: customer.id, amount: { amount: 12000 }, paidAt: '2025-07-02T09:00:00Z', note: 'corrected', attributes: { invoice: 'F-9' } },
      { 'if-match': `"${first.version}"` })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id: first.id, amount: { amount: 12000 }, netAmount: { amount: 12000 }, paidAt: '2025-07-02T09:00:00.000Z', note: 'corrected', attributes: { invoice: 'F-9' }, version: 2 })
    t.equal(res.headers.etag, '"2"')
    const audit = await auditOf(ctx, first.id)
    t.same(audit.map((a) => a.action), ['order.recorded', 'order.updated'])
    t.same(Object.keys(audit[1].changes).sort(), ['amount', 'attributes', 'note', 'paidAt'])
    t.same((await eventsOf(ctx, first.id)).map((e) => e.type), ['order.recorded'], 'API.md names no order.updated event')
  })

  await t.test('a stale If-Match is 412 and changes nothing', async (t) => {
    const externalId = newId()
    await put(externalId, { customerId: customer.id, amount: { amount: 100 } })
    await put(externalId, { customerId: customer.id, amount: { amount: 100 }, note: 'v2' })
    const stale = await put(externalId, { customerId: customer.id, amount: { amount: 100 }, note: 'v3' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { code: 'CRM_ERR_STALE_VERSION' })
    const missing = await put(newId(), { customerId: customer.id, amount: { amount: 100 } }, { 'if-match': '"1"' })
    t.equal(missing.statusCode, 412, 'If-Match on an order that does not exist yet')
    const [row] = await ctx.sql<{ note: string }>('select note from orders where external_id = $1', [externalId])
    t.equal(row.note, 'v2')
  })

  await t.test('the customer and campaign of a recorded order cannot change (409 IMMUTABLE)', async (t) => {
    const externalId = newId()
    await put(externalId, { customerId: customer.id, amount: { amount: 100 } })
    const other = await createCustomer(ctx)
    const moved = await put(externalId, { customerId: other.id, amount: { amount: 100 } })
    t.equal(moved.statusCode, 409)
    t.match(moved.json(), { errors: [{ field: 'customerId', code: 'IMMUTABLE' }] })
    const campaign = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id } userErrors { message } } }', { i: { name: 'Spring' } })
    const recampaigned = await put(externalId, { customerId: customer.id, amount: { amount: 100 }, campaignId: campaign.data.createCampaign.campaign.id })
    t.equal(recampaigned.statusCode, 409)
    t.match(recampaigned.json(), { errors: [{ field: 'campaignId', code: 'IMMUTABLE' }] })
  })

  await t.test('the amount cannot change once refunded (422 HAS_REFUNDS), nor paidAt move past a refund; the rest still can', async (t) => {
    const externalId = newId()
    const order = (await put(externalId, { customerId: customer.id, amount: { amount: 5000 }, paidAt: '2025-07-03T00:00:00Z' })).json()
    await ctx.rest(erp, 'POST', `/api/v1/orders/${order.id}/refunds`, { amount: { amount: 1000 }, refundedAt: '2025-07-04T00:00:00Z' })
    const res = await put(externalId, { customerId: customer.id, amount: { amount: 6000 } })
    t.equal(res.statusCode, 422)
    t.match(res.json(), { code: 'CRM_ERR_INVALID_TRANSITION', errors: [{ field: 'amount', code: 'HAS_REFUNDS' }] })
    const late = await put(externalId, { customerId: customer.id, amount: { amount: 5000 }, paidAt: '2025-07-05T00:00:00Z' })
    t.equal(late.statusCode, 400)
    t.match(late.json(), { errors: [{ field: 'paidAt', code: 'AFTER_REFUND' }] })
    const note = await put(externalId, { customerId: customer.id, amount: { amount: 5000 }, note: 'still editable' })
    t.equal(note.statusCode, 200)
    t.match(note.json(), { note: 'still editable', refundedAmount: { amount: 1000 }, netAmount: { amount: 4000 } })
  })

  await t.test('upsertOrder is the GraphQL twin, with the same answers as userErrors', async (t) => {
    const externalId = newId()
    const created = await ctx.gql(erp, UPSERT, { x: externalId, i: { customerId: customer.id, amount: { amount: 700 } } })
    t.match(created.data.upsertOrder, { created: true, order: { externalId, amount: { amount: 700 } }, userErrors: [] })
    const updated = await ctx.gql(erp, UPSERT, { x: externalId, i: { customerId: customer.id, amount: { amount: 800 } }, v: 1 })
    t.match(updated.data.upsertOrder, { created: false, order: { amount: { amount: 800 }, version: 2 }, userErrors: [] })
    const stale = await ctx.gql(erp, UPSERT, { x: externalId, i: { customerId: customer.id, amount: { amount: 900 } }, v: 1 })
    t.match(stale.data.upsertOrder, { order: null, userErrors: [{ field: 'expectedVersion', code: 'STALE_VERSION' }] })
    const bad = await ctx.gql(erp, UPSERT, { x: ' ', i: { customerId: customer.id, amount: { amount: 900 } } })
    t.match(bad.data.upsertOrder.userErrors, [{ field: 'externalId', code: 'INVALID' }])
  })
})
