import t from 'tap'
import { randomUUID } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../helper.js'

const CREATE = 'mutation Create($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id name version } userErrors { field code } } }'

type Body = { query: string; variables?: Record<string, unknown>; operationName?: string; extensions?: Record<string, unknown> }

async function customersNamed(ctx: TestApp, name: string): Promise<number> {
  const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from customers where name = $1', [name])
  return row.n
}

await forEachDatabase(t, async (t, ctx) => {
  const gql = (payload: Body, headers: Record<string, string> = {}) => ctx.app.inject({
    method: 'POST', url: '/graphql', payload, headers: { authorization: `Bearer ${ctx.adminToken}`, ...headers }
  })
  const create = (name: string) => ({ query: CREATE, variables: { i: { name } } })

  await t.test('a mutation retried with the Idempotency-Key header returns the first answer', async (t) => {
    const key = randomUUID()
    const first = await gql(create('Idem Gql Header'), { 'idempotency-key': key })
    t.equal(first.statusCode, 200)
    t.ok(first.json().data.createCustomer.customer.id)
    const again = await gql(create('Idem Gql Header'), { 'idempotency-key': key })
    t.equal(again.statusCode, 200)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.body, first.body)
    t.equal(await customersNamed(ctx, 'Idem Gql Header'), 1)
  })

  await t.test('extensions.idempotencyKey works the same, and names the same key as the header', async (t) => {
    const key = randomUUID()
    const first = await gql({ ...create('Idem Gql Extension'), extensions: { idempotencyKey: key } })
    const again = await gql({ ...create('Idem Gql Extension'), extensions: { idempotencyKey: key } })
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.json().data.createCustomer.customer.id, first.json().data.createCustomer.customer.id)
    const viaHeader = await gql(create('Idem Gql Extension'), { 'idempotency-key': key })
    t.equal(viaHeader.headers['idempotent-replayed'], 'true', 'the key, not how it came, is what counts')
    t.equal(await customersNamed(ctx, 'Idem Gql Extension'), 1)
  })

  await t.test('the order of keys in the variables does not matter; whitespace in the query does', async (t) => {
    const key = randomUUID()
    await gql({ query: CREATE, variables: { i: { name: 'Idem Gql Order', company: 'ACME' } } }, { 'idempotency-key': key })
    const reordered = await gql({ query: CREATE, variables: { i: { company: 'ACME', name: 'Idem Gql Order' } } }, { 'idempotency-key': key })
    t.equal(reordered.headers['idempotent-replayed'], 'true')
    const respaced = await gql({ query: `${CREATE} `, variables: { i: { name: 'Idem Gql Order', company: 'ACME' } } }, { 'idempotency-key': key })
    t.equal(respaced.statusCode, 422, 'the query text is part of the request')
  })

  await t.test('the same key with other variables answers 422 with BAD_USER_INPUT and IDEMPOTENCY_KEY_REUSED', async (t) => {
    const key = randomUUID()
    await gql(create('Idem Gql Reuse A'), { 'idempotency-key': key })
    const other = await gql(create('Idem Gql Reuse B'), { 'idempotency-key': key })
    t.equal(other.statusCode, 422)
    const body = other.json()
    t.equal(body.data, null)
    t.match(body.errors, [{ extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'Idempotency-Key', code: 'IDEMPOTENCY_KEY_REUSED' }] } }])
    t.equal(await customersNamed(ctx, 'Idem Gql Reuse B'), 0)
  })

  await t.test('a retry while the first runs answers 409 CONFLICT with Retry-After', async (t) => {
    const key = randomUUID()
    await gql(create('Idem Gql Busy'), { 'idempotency-key': key })
    await ctx.sql("update idempotency_keys set state = 'in_flight', locked_until = now() + interval '1 minute' where key = $1", [key])
    const busy = await gql(create('Idem Gql Busy'), { 'idempotency-key': key })
    t.equal(busy.statusCode, 409)
    t.equal(busy.headers['retry-after'], '1')
    t.match(busy.json().errors, [{ extensions: { code: 'CONFLICT', fields: [{ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' }] } }])
  })

  await t.test('a userError answer is stored and replayed like any other', async (t) => {
    const key = randomUUID()
    const payload = { query: CREATE, variables: { i: { name: 'Idem Gql Invalid', phone: '123' } } }
    const first = await gql(payload, { 'idempotency-key': key })
    t.match(first.json().data.createCustomer, { customer: null, userErrors: [{ field: 'phone' }] })
    const again = await gql(payload, { 'idempotency-key': key })
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.body, first.body)
  })

  await t.test('a query ignores the key, however it looks; so does a document that does not parse', async (t) => {
    const key = 'k'.repeat(300)
    const read = await gql({ query: '{ customers(first: 1) { totalCount } }', extensions: { idempotencyKey: key } }, { 'idempotency-key': 'other' })
    t.equal(read.statusCode, 200)
    t.notOk(read.headers['idempotent-replayed'])
    const named = await gql({ query: `${CREATE} query Count { customers(first: 1) { totalCount } }`, operationName: 'Count', variables: { i: { name: 'x' } } }, { 'idempotency-key': key })
    t.equal(named.statusCode, 200, 'the selected operation decides')
    const broken = await gql({ query: 'mutation {' }, { 'idempotency-key': key })
    t.equal(broken.statusCode, 400)
    t.equal(broken.json().errors[0].extensions.code, 'BAD_USER_INPUT')
    t.same(await ctx.sql('select key from idempotency_keys where key in ($1, $2)', [key, 'other']), [])
  })

  await t.test('a malformed key, or a header and an extension that disagree, is a 400 BAD_USER_INPUT', async (t) => {
    for (const [payload, headers] of [
      [{ ...create('Idem Gql Bad'), extensions: { idempotencyKey: 42 } }, {}],
      [{ ...create('Idem Gql Bad'), extensions: { idempotencyKey: 'x'.repeat(256) } }, {}],
      [create('Idem Gql Bad'), { 'idempotency-key': '' }],
      [{ ...create('Idem Gql Bad'), extensions: { idempotencyKey: 'one' } }, { 'idempotency-key': 'two' }]
    ] as [Body, Record<string, string>][]) {
      const res = await gql(payload, headers)
      t.equal(res.statusCode, 400, JSON.stringify([payload.extensions, headers]))
      t.match(res.json().errors, [{ extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'Idempotency-Key', code: 'INVALID_IDEMPOTENCY_KEY' }] } }])
    }
    t.equal(await customersNamed(ctx, 'Idem Gql Bad'), 0)
  })

  await t.test('REST and GraphQL share the caller\'s keys: one key on both is a reuse', async (t) => {
    const key = randomUUID()
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Idem Both' }, { 'idempotency-key': key })).statusCode, 201)
    t.equal((await gql(create('Idem Both'), { 'idempotency-key': key })).statusCode, 422)
  })
})
