import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import pg from 'pg'
import { buildTestApp, databaseKinds, type TestApp } from '../helper.js'

// docs/operations.md, Database outages: while the database is unreachable every API call
// answers 503 DATABASE_UNAVAILABLE (never 500) and /readyz 503; the pool recovers by itself.
// Readiness also means "this build's schema is there", not just "select 1".

const PROBLEM = /^application\/problem\+json/
const LIST = '{ customers(first: 1) { edges { node { id } } } }'
const CREATE_INLINE = 'mutation { createCustomer(input: { name: "Outage", attributes: { vip: true } }) { customer { id } userErrors { code } } }'
const CREATE = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }'

async function latestMigration(ctx: TestApp): Promise<{ id: number; hash: string; created_at: string }> {
  const [row] = await ctx.sql<{ id: number; hash: string; created_at: string }>('select id, hash, created_at::text from drizzle.__drizzle_migrations order by created_at desc limit 1')
  return row
}

for (const kind of databaseKinds) await t.test(`readiness on ${kind}`, async (t) => {
  const ctx = await buildTestApp(t, kind)

  await t.test('/readyz is 503 schema_not_migrated while the newest migration of this build is missing', async (t) => {
    t.equal((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
    const latest = await latestMigration(ctx)
    await ctx.sql('delete from drizzle.__drizzle_migrations where id = $1', [latest.id])
    try {
      const res = await ctx.app.inject({ method: 'GET', url: '/readyz' })
      t.equal(res.statusCode, 503)
      t.same(res.json(), { status: 'unavailable', database: kind, reason: 'schema_not_migrated' })
    } finally {
      await ctx.sql('insert into drizzle.__drizzle_migrations (id, hash, created_at) values ($1, $2, $3)', [latest.id, latest.hash, latest.created_at])
    }
    t.equal((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200, 'ready again once it is there')
  })
})

if (!process.env.TEST_DATABASE_URL) {
  t.comment('database outage: PostgreSQL only (TEST_DATABASE_URL unset)')
} else await t.test('database outage on postgres', async (t) => {
  const ctx = await buildTestApp(t, 'postgres')
  const name = new URL(ctx.app.config.DATABASE_URL!).pathname.slice(1)
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  // A token never used yet: its key's status is not cached, so authentication itself needs the database.
  const coldToken = await ctx.keyToken('integration')
  const customer = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Before' })).json()

  /** Cuts the database off as a failover or an operator would: no new sessions, and the open ones ended. */
  async function cutOff(): Promise<void> {
    await admin.query(`alter database ${name} allow_connections false`)
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name])
    await sleep(100)
  }
  async function restore(): Promise<void> {
    await admin.query(`alter database ${name} allow_connections true`)
  }

  await t.test('while the database is unreachable every call answers 503 DATABASE_UNAVAILABLE with Retry-After', async (t) => {
    await cutOff()
    t.teardown(restore)
    const rest = [
      ['GET', '/api/v1/customers', undefined, ctx.adminToken, {}],
      ['GET', `/api/v1/customers/${customer.id}`, undefined, ctx.adminToken, {}],
      ['POST', '/api/v1/customers', { name: 'During' }, ctx.adminToken, {}],
      ['POST', '/api/v1/customers', { name: 'During, keyed' }, ctx.adminToken, { 'idempotency-key': randomUUID() }],
      ['GET', '/api/v1/customers', undefined, coldToken, {}],
      ['POST', '/api/v1/auth/token', { apiKey: 'crm_test_bootstrap_admin_key_0123456789' }, null, {}]
    ] as const
    for (const [method, url, payload, token, headers] of rest) {
      const res = await ctx.rest(token, method, url, payload, headers)
      t.equal(res.statusCode, 503, `${method} ${url}`)
      t.match(res.headers['content-type'], PROBLEM)
      t.equal(res.headers['retry-after'], '2')
      t.match(res.json(), { status: 503, code: 'CRM_ERR_DATABASE_UNAVAILABLE', title: 'Database unavailable' })
    }
    const graphql: [string, string, Record<string, unknown> | undefined, string, Record<string, string>][] = [
      ['a query', LIST, undefined, ctx.adminToken, {}],
      ['a mutation, inline', CREATE_INLINE, undefined, ctx.adminToken, {}],
      ['a mutation, with variables', CREATE, { i: { name: 'Outage' } }, ctx.adminToken, {}],
      ['a mutation with an Idempotency-Key', CREATE, { i: { name: 'Outage' } }, ctx.adminToken, { 'idempotency-key': randomUUID() }],
      ['a query from a token not yet checked', LIST, undefined, coldToken, {}]
    ]
    for (const [what, query, variables, token, headers] of graphql) {
      const res = await ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query, variables }, headers: { authorization: `Bearer ${token}`, ...headers } })
      t.equal(res.statusCode, 503, what)
      t.equal(res.headers['retry-after'], '2')
      t.match(res.json().errors, [{ extensions: { code: 'INTERNAL', reason: 'DATABASE_UNAVAILABLE' } }], `${what}: INTERNAL, reason DATABASE_UNAVAILABLE`)
    }
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' })
    t.equal(ready.statusCode, 503)
    t.same(ready.json(), { status: 'unavailable', database: 'postgres', reason: 'database_unreachable' })
    t.equal((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process itself is alive')
  })

  await t.test('once the database is back the same process serves again, without a restart', async (t) => {
    await restore()
    t.equal((await ctx.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${customer.id}`)).statusCode, 200)
    const created = await ctx.gql(coldToken, CREATE, { i: { name: 'After' } })
    t.ok(created.data.createCustomer.customer.id, 'a write commits')
  })

  await t.test('/readyz is 503 on an empty, recreated database (no migrations applied)', async (t) => {
    await admin.query(`drop database ${name} with (force)`)
    await admin.query(`create database ${name}`)
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' })
    t.equal(res.statusCode, 503)
    t.same(res.json(), { status: 'unavailable', database: 'postgres', reason: 'schema_not_migrated' })
  })
})
