import t from 'tap'
import { randomUUID } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../helper.js'
import { requestScopesInProgress } from '../../src/db/request-tx.js'

/**
 * A keyed write and its stored answer commit together (docs/idempotency.md, "A request
 * that dies"). The process "dies" as it stores the answer: that step fails and nothing
 * after it runs (the claim is not released, as a dead process releases nothing). The
 * retry, once the claim's lock has run out, must run the request exactly once; a request
 * whose commit went through must be replayed, not run again.
 */
async function countNamed(ctx: TestApp, name: string): Promise<number> {
  const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from customers where name = $1', [name])
  return row.n
}

/** The next answer-store dies with the process: it throws, and the key is not released afterwards. */
function dieWhileStoring(ctx: TestApp): void {
  const store = ctx.app.services.idempotency
  const { complete, release } = store
  store.complete = async () => {
    store.complete = complete
    // A dead process releases nothing; the claim's lock runs out instead (below).
    store.release = async () => { store.release = release }
    throw new Error('the process died here')
  }
}

/** The lock of a claim left by a dead process has run out. */
const lockRunsOut = (ctx: TestApp, key: string) =>
  ctx.sql("update idempotency_keys set locked_until = now() - interval '1 second' where key = $1 and state = 'in_flight'", [key])

const CREATE = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id name } userErrors { code } } }'
const TWO = `mutation($a: CreateCustomerInput!, $b: CreateCustomerInput!) {
  a: createCustomer(input: $a) { customer { id name } userErrors { code } }
  b: createCustomer(input: $b) { customer { id name } userErrors { code } } }`

await forEachDatabase(t, async (t, ctx) => {
  t.afterEach(() => { t.equal(requestScopesInProgress(), 0, 'every keyed request ended its transaction scope') })

  await t.test('REST: a death while storing the answer leaves nothing; the retry creates the customer once', async (t) => {
    const key = randomUUID()
    const name = `Idem Crash Rest ${key}`
    dieWhileStoring(ctx)
    const first = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })
    t.ok(first.statusCode >= 500, `the dying request answers no success (${first.statusCode})`)
    t.notOk(first.headers.location, 'and names no record')
    t.equal(await countNamed(ctx, name), 0, 'its write did not commit')
    const [row] = await ctx.sql<{ state: string }>('select state from idempotency_keys where key = $1', [key])
    t.equal(row.state, 'in_flight', 'the claim stays, as a dead process leaves it')
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })).statusCode, 409, 'in flight until its lock runs out')
    await lockRunsOut(ctx, key)
    const retry = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })
    t.equal(retry.statusCode, 201)
    t.notOk(retry.headers['idempotent-replayed'], 'the retry ran the request afresh')
    t.equal(await countNamed(ctx, name), 1, 'exactly one customer')
    const again = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.body, retry.body)
  })

  await t.test('GraphQL: a death while storing the answer of two mutations leaves neither; the retry makes each once', async (t) => {
    const key = randomUUID()
    const variables = { a: { name: `Idem Crash A ${key}` }, b: { name: `Idem Crash B ${key}` } }
    dieWhileStoring(ctx)
    const first = await ctx.gql(ctx.adminToken, TWO, variables, { 'idempotency-key': key })
    t.equal(first.data, null, 'the dying request reports nothing done')
    t.equal(await countNamed(ctx, variables.a.name) + await countNamed(ctx, variables.b.name), 0, 'neither write committed')
    await lockRunsOut(ctx, key)
    const retry = await ctx.gql(ctx.adminToken, TWO, variables, { 'idempotency-key': key })
    t.ok(retry.data.a.customer.id && retry.data.b.customer.id)
    t.equal(await countNamed(ctx, variables.a.name), 1)
    t.equal(await countNamed(ctx, variables.b.name), 1)
  })

  await t.test('a death after the commit: the retry gets the original answer, and nothing runs twice', async (t) => {
    const key = randomUUID()
    const name = `Idem Crash Late ${key}`
    // The commit went through; the answer never reached the client (it is ignored here).
    const lost = await ctx.gql(ctx.adminToken, CREATE, { i: { name } }, { 'idempotency-key': key })
    const res = await ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query: CREATE, variables: { i: { name } } }, headers: { authorization: `Bearer ${ctx.adminToken}`, 'idempotency-key': key } })
    t.equal(res.headers['idempotent-replayed'], 'true')
    t.equal(res.json().data.createCustomer.customer.id, lost.data.createCustomer.customer.id, 'the same record')
    t.equal(await countNamed(ctx, name), 1)
  })

  await t.test('a 5xx in the second of two mutations rolls the first back too, reports no data, and frees the key', async (t) => {
    await ctx.sql(`create function idem_crash_boom() returns trigger language plpgsql as $$
      begin if new.name like 'Idem Crash Boom%' then raise exception 'boom' using errcode = 'XX000'; end if; return new; end $$`)
    await ctx.sql('create trigger idem_crash_boom before insert on customers for each row execute function idem_crash_boom()')
    const key = randomUUID()
    const variables = { a: { name: `Idem Crash Fine ${key}` }, b: { name: `Idem Crash Boom ${key}` } }
    const failed = await ctx.gql(ctx.adminToken, TWO, variables, { 'idempotency-key': key })
    t.equal(failed.data, null, 'the first mutation is not reported as done')
    t.match(failed.errors, [{ extensions: { code: 'INTERNAL' } }])
    t.equal(await countNamed(ctx, variables.a.name), 0, 'the first mutation was rolled back with the request')
    t.same(await ctx.sql('select 1 from idempotency_keys where key = $1', [key]), [], 'the key is free')
    await ctx.sql('drop trigger idem_crash_boom on customers')
    await ctx.sql('drop function idem_crash_boom()')
    const retried = await ctx.gql(ctx.adminToken, TWO, variables, { 'idempotency-key': key })
    t.ok(retried.data.a.customer.id && retried.data.b.customer.id)
    t.equal(await countNamed(ctx, variables.a.name), 1, 'the retry made each exactly once')
  })

  await t.test('a userError in the second mutation is stored with the first one\'s write, and replayed', async (t) => {
    const key = randomUUID()
    const variables = { a: { name: `Idem Crash Kept ${key}` }, b: { name: `Idem Crash Bad ${key}`, phone: '123' } }
    const first = await ctx.gql(ctx.adminToken, TWO, variables, { 'idempotency-key': key })
    t.ok(first.data.a.customer.id)
    t.match(first.data.b, { customer: null, userErrors: [{}] })
    t.equal(await countNamed(ctx, variables.a.name), 1)
    const again = await ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query: TWO, variables }, headers: { authorization: `Bearer ${ctx.adminToken}`, 'idempotency-key': key } })
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.json().data.a.customer.id, first.data.a.customer.id)
    t.equal(await countNamed(ctx, variables.a.name), 1)
  })

  await t.test('a claim taken over while the request ran: its writes roll back and it answers 409; the new holder\'s answer is replayed', async (t) => {
    const key = randomUUID()
    const name = `Idem Crash Taken ${key}`
    const store = ctx.app.services.idempotency
    const { claim } = store
    // Once claimed, another process takes the claim over (as if ours had gone silent past its lock).
    store.claim = async (...args) => {
      store.claim = claim
      const result = await claim.apply(store, args)
      await ctx.sql("update idempotency_keys set created_at = created_at + interval '1 millisecond' where key = $1", [key])
      return result
    }
    const first = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })
    t.equal(first.statusCode, 409)
    t.equal(first.headers['retry-after'], '1')
    t.equal(first.json().code, 'CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT')
    t.equal(await countNamed(ctx, name), 0, 'the loser wrote nothing')
    const [row] = await ctx.sql<{ state: string }>('select state from idempotency_keys where key = $1', [key])
    t.equal(row.state, 'in_flight', 'the new holder\'s claim is untouched')
  })
})
