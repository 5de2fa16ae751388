import t from 'tap'
import { buildTestApp, forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { field message code existingId } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } userErrors { field code existingId } } }`

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: south })
  const admin = ctx.adminToken
  const create = async (token: string, i: Record<string, unknown>) => (await ctx.gql(token, CREATE, { i })).data.createCustomer

  const first = (await create(alice.token, { name: '王伟', phone: '+86 138-1234-5678', email: 'wang.wei@example.com' })).customer

  await t.test('a create with the phone of a live customer is DUPLICATE, naming it for a caller who sees it', async (t) => {
    const r = await create(admin, { name: 'Wang Wei again', phone: '13812345678' })
    t.equal(r.customer, null)
    t.same(r.userErrors, [{ field: 'phone', code: 'DUPLICATE', existingId: first.id, message: r.userErrors[0].message }])
    t.match(r.userErrors[0].message, first.id)
  })

  await t.test('inline arguments answer the same as variables', async (t) => {
    const r = await ctx.gql(admin, `mutation { createCustomer(input: { name: "Inline", phone: "138 1234 5678" }) { customer { id } userErrors { field code existingId } } }`)
    t.same(r.data.createCustomer, { customer: null, userErrors: [{ field: 'phone', code: 'DUPLICATE', existingId: first.id }] })
  })

  await t.test('an email-only match is DUPLICATE on email (case and spaces normalised)', async (t) => {
    const r = await create(alice.token, { name: 'Other', phone: '13900000001', email: ' Wang.Wei@Example.com ' })
    t.same(r.userErrors.map((e: { field: string; code: string; existingId: string }) => [e.field, e.code, e.existingId]), [['email', 'DUPLICATE', first.id]])
  })

  await t.test('a sales rep outside the reach gets DUPLICATE without the id or any hint of it', async (t) => {
    const r = await create(carol.token, { name: 'Hidden', phone: '13812345678' })
    t.equal(r.customer, null)
    t.equal(r.userErrors[0].code, 'DUPLICATE')
    t.equal(r.userErrors[0].existingId, null)
    t.notMatch(r.userErrors[0].message, first.id)
    const rest = await ctx.rest(carol.token, 'POST', '/api/v1/customers', { name: 'Hidden', phone: '13812345678' })
    t.equal(rest.statusCode, 409)
    t.same(rest.json().errors.map((e: Record<string, unknown>) => [e.field, e.code, e.existingId]), [['phone', 'DUPLICATE', undefined]])
    t.notMatch(rest.body, first.id)
  })

  await t.test('REST POST answers 409 problem+json naming the existing customer', async (t) => {
    const r = await ctx.rest(alice.token, 'POST', '/api/v1/customers', { name: 'Dup', phone: '13812345678' })
    t.equal(r.statusCode, 409)
    t.match(r.headers['content-type'], /application\/problem\+json/)
    const body = r.json()
    t.equal(body.code, 'CRM_ERR_CONFLICT')
    t.same(body.errors.map((e: Record<string, unknown>) => [e.field, e.code, e.existingId]), [['phone', 'DUPLICATE', first.id]])
  })

  await t.test('allowDuplicate: true creates it anyway, on both transports', async (t) => {
    const g = await create(alice.token, { name: 'Twin', phone: '13812345678', allowDuplicate: true })
    t.ok(g.customer?.id)
    t.same(g.userErrors, [])
    const r = await ctx.rest(alice.token, 'POST', '/api/v1/customers', { name: 'Twin 2', email: 'wang.wei@example.com', allowDuplicate: true })
    t.equal(r.statusCode, 201)
    t.notOk('allowDuplicate' in r.json(), 'not a stored field')
  })

  await t.test('a soft-deleted or merged-away customer does not block', async (t) => {
    const gone = (await create(admin, { name: 'Gone', phone: '13700000001' })).customer
    t.equal((await ctx.rest(admin, 'DELETE', `/api/v1/customers/${gone.id}`)).statusCode, 204)
    t.ok((await create(admin, { name: 'Back', phone: '13700000001' })).customer?.id)
    const a = (await create(admin, { name: 'Merge A', phone: '13700000002' })).customer
    // The survivor keeps its own phone (a merge fills only gaps), so A's phone leaves the live records.
    const b = (await create(admin, { name: 'Merge B', phone: '13700000003' })).customer
    const m = await ctx.gql(admin, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code } } }', { s: b.id, m: [a.id] })
    t.same(m.data.mergeCustomers.userErrors, [])
    t.ok((await create(admin, { name: 'After merge', phone: '13700000002' })).customer?.id)
  })

  await t.test('an update to a phone another live customer has is DUPLICATE; keeping its own is not', async (t) => {
    const other = (await create(alice.token, { name: 'Other', phone: '13600000001', email: 'other@example.com' })).customer
    const r = (await ctx.gql(alice.token, UPDATE, { id: other.id, i: { phone: '138-1234-5678' } })).data.updateCustomer
    t.same(r, { customer: null, userErrors: [{ field: 'phone', code: 'DUPLICATE', existingId: first.id }] })
    const same = (await ctx.gql(alice.token, UPDATE, { id: other.id, i: { phone: '+8613600000001', email: 'other@example.com', name: 'Renamed' } })).data.updateCustomer
    t.same(same.userErrors, [])
    const allowed = (await ctx.gql(alice.token, UPDATE, { id: other.id, i: { phone: '13812345678', allowDuplicate: true } })).data.updateCustomer
    t.same(allowed.userErrors, [])
    const patch = await ctx.rest(alice.token, 'PATCH', `/api/v1/customers/${first.id}`, { email: 'other@example.com' })
    t.equal(patch.statusCode, 409)
    t.equal(patch.json().errors[0].existingId, other.id)
  })

  await t.test('upsert by externalId: a create is checked, an update of its own record is not', async (t) => {
    const put = await ctx.rest(admin, 'PUT', '/api/v1/customers/by-external-id/dup-ext-1', { name: 'Ext', phone: '13812345678' })
    t.equal(put.statusCode, 409)
    t.equal(put.json().errors[0].code, 'DUPLICATE')
    const own = await ctx.rest(admin, 'PUT', '/api/v1/customers/by-external-id/dup-ext-2', { name: 'Ext 2', phone: '13500000001' })
    t.equal(own.statusCode, 201)
    const again = await ctx.rest(admin, 'PUT', '/api/v1/customers/by-external-id/dup-ext-2', { name: 'Ext 2b', phone: '13500000001' })
    t.equal(again.statusCode, 200)
    const g = await ctx.gql(admin, 'mutation { upsertCustomer(externalId: "dup-ext-3", input: { name: "E3", email: "WANG.WEI@example.com" }) { created customer { id } userErrors { field code existingId } } }')
    t.same(g.data.upsertCustomer, { created: null, customer: null, userErrors: [{ field: 'email', code: 'DUPLICATE', existingId: first.id }] })
    const allowed = await ctx.rest(admin, 'PUT', '/api/v1/customers/by-external-id/dup-ext-1', { name: 'Ext', phone: '13812345678', allowDuplicate: true })
    t.equal(allowed.statusCode, 201)
  })

  await t.test('nothing is written by a refused duplicate', async (t) => {
    const [before] = await ctx.sql<{ n: number }>(`select count(*)::int as n from audit_entries`)
    await create(admin, { name: 'No', phone: '13812345678' })
    const [after] = await ctx.sql<{ n: number }>(`select count(*)::int as n from audit_entries`)
    t.equal(after.n, before.n)
  })

  await t.test('concurrent creates with the same phone: exactly one succeeds', async (t) => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      ctx.rest(admin, 'POST', '/api/v1/customers', { name: `Racer ${i}`, phone: '+86 131 0000 9999' })))
    t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409])
    const rows = await ctx.sql(`select id from customers where name like 'Racer %'`)
    t.equal(rows.length, 1)
  })
})

t.test('DUPLICATE_POLICY=allow accepts duplicates without allowDuplicate', async (t) => {
  const ctx = await buildTestApp(t, 'pglite', { DUPLICATE_POLICY: 'allow' })
  const a = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'One', phone: '13812345678' })
  const b = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Two', phone: '13812345678' })
  t.same([a.statusCode, b.statusCode], [201, 201])
})
