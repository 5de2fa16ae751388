import t from 'tap'
import { forEachDatabase } from '../../helper.js'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('upsert by externalId creates once, then updates the same record', async (t) => {
    const put1 = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-001', { name: '王五', company: 'ACME' })
    t.equal(put1.statusCode, 201)
    const put2 = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-001', { name: '王五', company: 'ACME 2' })
    t.equal(put2.statusCode, 200)
    t.equal(put2.json().id, put1.json().id)
    t.equal(put2.json().version, 2)
    const gql = await ctx.gql(ctx.adminToken, 'mutation { upsertCustomer(externalId: "ERP-001", input: { name: "王五", title: "CEO" }) { created customer { id company title } userErrors { code } } }')
    t.same(gql.data.upsertCustomer, { created: false, customer: { id: put1.json().id, company: 'ACME 2', title: 'CEO' }, userErrors: [] })
  })

  await t.test('concurrent upserts of one externalId converge on one customer', async (t) => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-RACE', { name: `Racer ${i}` })))
    t.ok(results.every((r) => r.statusCode === 200 || r.statusCode === 201), results.map((r) => r.statusCode).join(','))
    t.equal(new Set(results.map((r) => r.json().id)).size, 1)
    t.equal(results.filter((r) => r.statusCode === 201).length, 1)
  })

  await t.test('a second customer with a taken externalId is a CONFLICT naming the field', async (t) => {
    const r = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Dup", externalId: "ERP-001" }) { customer { id } userErrors { field code } } }')
    t.same(r.data.createCustomer.userErrors, [{ field: 'externalId', code: 'TAKEN' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Dup', externalId: 'ERP-001' })
    t.equal(rest.statusCode, 409)
    t.equal(rest.json().errors[0].field, 'externalId')
  })

  await t.test('unknown fields, bad enums and over-long values are refused with the field named', async (t) => {
    const unknown = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'X', favouriteColour: 'red' })
    t.equal(unknown.statusCode, 400)
    t.match(unknown.json().errors, [{ field: 'favouriteColour' }])
    const badEnum = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'X', lifecycleStage: 'vip' })
    t.equal(badEnum.statusCode, 400)
    t.ok(badEnum.json().errors.some((e: { field: string }) => e.field === 'lifecycleStage'))
    const long = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { field code } } }', { i: { name: 'x'.repeat(201) } })
    t.match(long.data.createCustomer.userErrors, [{ field: 'name' }])
    const badEmail = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'X', email: 'not-an-email' })
    t.equal(badEmail.statusCode, 400)
    t.match(badEmail.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'email', code: 'INVALID_EMAIL' }] })
    const badDate = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'X', birthday: '1990-13-45' })
    t.equal(badDate.statusCode, 400)
    const gqlType = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: 5, gender: alien }) { customer { id } } }')
    t.equal(gqlType.status, 400)
    t.equal(gqlType.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('stale expectedVersion is a STALE_VERSION userError and changes nothing', async (t) => {
    const c = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Versioned' })).json()
    const ok = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateCustomer(id: $id, input: { company: "One", expectedVersion: 1 }) { customer { version } userErrors { code } } }', { id: c.id })
    t.equal(ok.data.updateCustomer.customer.version, 2)
    const stale = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateCustomer(id: $id, input: { company: "Two", expectedVersion: 1 }) { customer { version } userErrors { field code } } }', { id: c.id })
    t.same(stale.data.updateCustomer, { customer: null, userErrors: [{ field: 'expectedVersion', code: 'STALE_VERSION' }] })
    const now = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)
    t.equal(now.json().company, 'One')
  })

  await t.test('soft delete hides the customer and records an audit entry and an event', async (t) => {
    const c = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Leaving' })).json()
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${c.id}`)
    t.equal(del.statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)).statusCode, 404)
    const gql = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { id } }', { id: c.id })
    t.equal(gql.data.customer, null)
    const rows = await ctx.sql<{ action: string }>('select action from audit_entries where entity_id = $1 order by at', [c.id])
    t.same(rows.map((r) => r.action), ['customer.created', 'customer.deleted'])
  })

  await t.test('an update records changed fields, with personal data masked, in the outbox event', async (t) => {
    const c = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Evented', phone: '13700001234' })).json()
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${c.id}`, { phone: '13700005678', company: 'New Co' })
    const rows = await ctx.sql<{ type: string; data: { changes?: Record<string, { from: unknown; to: unknown }> } }>(
      'select type, data from outbox_events where entity_id = $1 order by occurred_at, id', [c.id])
    t.same(rows.map((r) => r.type), ['customer.created', 'customer.updated'])
    t.same(rows[1].data.changes, { phone: { from: '137****1234', to: '137****5678' }, company: { from: null, to: 'New Co' } })
    t.notOk(JSON.stringify(rows).includes('13700001234'), 'clear phone never stored in events')
  })

  await t.test('an upsert with a merged customer\'s externalId updates the survivor, not the merged record', async (t) => {
    const a = (await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-M1', { name: 'Survivor' })).json()
    const b = (await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-M2', { name: 'Absorbed' })).json()
    const merged = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code } } }', { s: a.id, m: [b.id] })
    t.same(merged.data.mergeCustomers.userErrors, [])
    const put = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-M2', { name: 'Absorbed', company: 'Late Sync' })
    t.equal(put.statusCode, 200)
    t.equal(put.json().id, a.id)
    t.equal(put.json().company, 'Late Sync')
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${b.id}`)).statusCode, 404, 'the merged record stays merged')
  })
})
