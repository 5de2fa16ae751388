import t from 'tap'
import { randomUUID } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../helper.js'
import { canonicalJson } from '../../src/lib/canonical-json.js'

/** `{"a":{"a":…1…}}` nested `n` levels, as text: JSON.stringify itself overflows on it. */
const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
const deepLiteral = (n: number) => '{a:'.repeat(n) + '1' + '}'.repeat(n)
const json = { 'content-type': 'application/json' }

const count = async (ctx: TestApp, sql: string, params: unknown[]) => (await ctx.sql<{ n: number }>(`select count(*)::int as n from ${sql}`, params))[0].n

t.test('canonical JSON writes a value nested 100,000 levels deep without overflowing', async (t) => {
  let value: unknown = 1
  for (let i = 0; i < 100_000; i++) value = { b: [value], a: i }
  const text = canonicalJson(value)
  t.ok(text.startsWith('{"a":99999,"b":[{"a":99998,'))
  t.equal(text.length, canonicalJson(JSON.parse(text)).length)
})

await forEachDatabase(t, async (t, ctx) => {
  const token = ctx.adminToken
  for (const n of [5_000, 100_000]) {
    await t.test(`REST POST with attributes ${n} levels deep: 400 naming attributes, nothing written, the key still free`, async (t) => {
      const key = randomUUID()
      const name = `Deep ${n} ${key}`
      const res = await ctx.rest(token, 'POST', '/api/v1/customers', `{"name":${JSON.stringify(name)},"attributes":${deep(n)}}`, { ...json, 'idempotency-key': key })
      t.equal(res.statusCode, 400)
      t.match(res.headers['content-type'], /^application\/problem\+json/)
      t.match(res.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'attributes', code: 'TOO_DEEP', message: /more than 32 levels/ }] })
      t.equal(res.json().errors.length, 1)
      t.equal(await count(ctx, 'customers where name = $1', [name]), 0)
      t.equal(await count(ctx, 'idempotency_keys where key = $1', [key]), 0, 'the key was not claimed')
      const ok = await ctx.rest(token, 'POST', '/api/v1/customers', { name, attributes: { a: { a: 1 } } }, { 'idempotency-key': key })
      t.equal(ok.statusCode, 201, 'a later valid request with the same key runs')
      t.notOk(ok.headers['idempotent-replayed'])
    })

    await t.test(`REST PATCH and DELETE with a body ${n} levels deep and an Idempotency-Key: 400, record unchanged, key still free`, async (t) => {
      const customer = (await ctx.rest(token, 'POST', '/api/v1/customers', { name: `Patch ${n}` })).json()
      const key = randomUUID()
      const patch = await ctx.rest(token, 'PATCH', `/api/v1/customers/${customer.id}`, `{"attributes":${deep(n)}}`, { ...json, 'idempotency-key': key })
      t.equal(patch.statusCode, 400)
      t.match(patch.json().errors, [{ field: 'attributes', code: 'TOO_DEEP' }])
      t.equal((await ctx.rest(token, 'GET', `/api/v1/customers/${customer.id}`)).json().version, 1)
      t.equal((await ctx.rest(token, 'PATCH', `/api/v1/customers/${customer.id}`, { company: 'Acme' }, { 'idempotency-key': key })).statusCode, 200)

      const lead = (await ctx.rest(token, 'POST', '/api/v1/leads', { name: `Lead ${n}`, source: 'website' })).json()
      const delKey = randomUUID()
      const del = await ctx.rest(token, 'DELETE', `/api/v1/leads/${lead.id}`, deep(n), { ...json, 'idempotency-key': delKey })
      t.equal(del.statusCode, 400)
      t.match(del.json().errors, [{ field: 'a', code: 'TOO_DEEP' }])
      t.equal((await ctx.rest(token, 'GET', `/api/v1/leads/${lead.id}`)).statusCode, 200, 'the lead is still there')
      t.equal((await ctx.rest(token, 'DELETE', `/api/v1/leads/${lead.id}`, undefined, { 'idempotency-key': delKey })).statusCode, 204)
    })

    await t.test(`GraphQL variable ${n} levels deep: 400 BAD_USER_INPUT naming the variable, nothing written, key still free`, async (t) => {
      const key = randomUUID()
      const name = `Gql deep ${n} ${key}`
      const query = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { field message code } } }'
      const body = `{"query":${JSON.stringify(query)},"variables":{"i":{"name":${JSON.stringify(name)},"attributes":${deep(n)}}},"extensions":{"idempotencyKey":"${key}"}}`
      const res = await ctx.rest(token, 'POST', '/graphql', body, json)
      t.equal(res.statusCode, 400)
      const [error] = res.json().errors
      t.match(error, { extensions: { code: 'BAD_USER_INPUT', fields: [{ field: '$i.attributes', code: 'TOO_DEEP' }] } })
      t.match(error.message, /^\$i\.attributes: is nested more than 32 levels/)
      t.equal(await count(ctx, 'customers where name = $1', [name]), 0)
      const ok = await ctx.gql(token, query, { i: { name } }, { 'idempotency-key': key })
      t.ok(ok.data.createCustomer.customer.id, 'a later valid mutation with the same key runs')
    })

    await t.test(`GraphQL inline literal ${n} levels deep: 400 BAD_USER_INPUT naming the argument, nothing written`, async (t) => {
      const name = `Gql literal ${n} ${randomUUID()}`
      for (const [field, mutation] of [
        ['createCustomer.input.attributes', `createCustomer(input: {name: ${JSON.stringify(name)}, attributes: ${deepLiteral(n)}}) { customer { id } }`],
        ['createCampaign.input.audience', `createCampaign(input: {name: ${JSON.stringify(name)}, audience: ${deepLiteral(n)}}) { campaign { id } }`]
      ]) {
        const res = await ctx.gql(token, `mutation { ${mutation} }`, undefined, { 'idempotency-key': randomUUID() })
        t.equal(res.status, 400, field)
        t.match(res.errors, [{ extensions: { code: 'BAD_USER_INPUT', fields: [{ field, code: 'TOO_DEEP' }] } }])
      }
      t.equal(await count(ctx, 'customers where name = $1', [name]), 0)
    })
  }

  await t.test('an import row whose JSON is nested 5,000 levels deep is refused as that row, not a 500', async (t) => {
    const ndjson = `{"externalId":"Deep-1","name":"Deep import","attributes":${deep(5_000)}}\n{"externalId":"Deep-2","name":"Shallow import"}\n`
    const nd = await ctx.app.inject({ method: 'POST', url: '/api/v1/import/customers', payload: ndjson, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' } })
    t.equal(nd.statusCode, 200)
    t.match(nd.json(), { created: 1, errors: [{ row: 1, field: 'attributes', code: 'TOO_DEEP' }] })
    const csv = `externalId,name,attributes\nDeep-3,Deep csv,"${deep(5_000).replace(/"/g, '""')}"\n`
    const c = await ctx.app.inject({ method: 'POST', url: '/api/v1/import/customers', payload: csv, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' } })
    t.equal(c.statusCode, 200)
    t.match(c.json(), { created: 0, errors: [{ row: 1, field: 'attributes', code: 'TOO_DEEP' }] })
    t.equal(await count(ctx, "customers where external_id like 'Deep-%'", []), 1)
  })

  await t.test('a value at the limit is accepted; one level more is refused, on both transports', async (t) => {
    // The body (or the input object) is level 1: attributes 31 levels deep reach 32.
    const ok = await ctx.rest(token, 'POST', '/api/v1/customers', `{"name":"At limit","attributes":${deep(31)}}`, json)
    t.equal(ok.statusCode, 201)
    const over = await ctx.rest(token, 'POST', '/api/v1/customers', `{"name":"Over limit","attributes":${deep(32)}}`, json)
    t.equal(over.statusCode, 400)
    const query = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }'
    const variable = (name: string, n: number) => ctx.rest(token, 'POST', '/graphql', `{"query":${JSON.stringify(query)},"variables":{"i":{"name":"${name}","attributes":${deep(n)}}}}`, json)
    t.ok((await variable('Variable at limit', 31)).json().data.createCustomer.customer.id)
    t.equal((await variable('Variable over', 32)).statusCode, 400)
    const lit = await ctx.gql(token, `mutation { createCustomer(input: {name: "Literal at limit", attributes: ${deepLiteral(31)}}) { customer { id } } }`)
    // Not refused by the depth limit (an inline JSON literal's own handling is another matter).
    t.not(lit.status, 400)
    t.notMatch(JSON.stringify(lit.errors ?? []), /TOO_DEEP/)
    const litOver = await ctx.gql(token, `mutation { createCustomer(input: {name: "Literal over", attributes: ${deepLiteral(32)}}) { customer { id } } }`)
    t.equal(litOver.status, 400)
  })
})

await forEachDatabase(t, async (t, ctx) => {
  await t.test('INPUT_MAX_DEPTH sets the limit and the message says it', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', `{"name":"Small limit","attributes":${deep(8)}}`, json)
    t.equal(res.statusCode, 400)
    t.match(res.json().errors, [{ field: 'attributes', message: /more than 8 levels/ }])
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', `{"name":"Small ok","attributes":${deep(7)}}`, json)).statusCode, 201)
  })
}, { INPUT_MAX_DEPTH: '8' })
