import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id name phone email version owner { id } } userErrors { field message code } } }`

await forEachDatabase(t, async (t, ctx) => {
  await t.test('creates a customer with a normalised phone and email, readable over REST', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { name: '张三', phone: '+86 138-1234-5678', email: ' Zhang.San@Example.COM ' } })
    t.same(r.data.createCustomer.userErrors, [])
    const c = r.data.createCustomer.customer
    t.equal(c.phone, '13812345678')
    t.equal(c.email, 'zhang.san@example.com')
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().name, '张三')
    t.equal(rest.headers.etag, '"1"')
  })

  await t.test('refuses an invalid phone as a userError and writes nothing', async (t) => {
    const before = await ctx.gql(ctx.adminToken, '{ customers(filter: { search: "无效号码" }) { totalCount } }')
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { name: '无效号码', phone: '12345' } })
    t.equal(r.data.createCustomer.customer, null)
    t.match(r.data.createCustomer.userErrors, [{ field: 'phone', code: 'INVALID_PHONE' }])
    const after = await ctx.gql(ctx.adminToken, '{ customers(filter: { search: "无效号码" }) { totalCount } }')
    t.equal(after.data.customers.totalCount, before.data.customers.totalCount)
  })

  await t.test('answers a stale If-Match with 412', async (t) => {
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Version Test' })
    const id = created.json().id
    const ok = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { company: 'A' }, { 'if-match': '"1"' })
    t.equal(ok.statusCode, 200)
    t.equal(ok.json().version, 2)
    const stale = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { company: 'B' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    t.equal(stale.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.equal(stale.json().code, 'CRM_ERR_STALE_VERSION')
    const now = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${id}`)
    t.equal(now.json().company, 'A')
  })
})
