import { randomBytes } from 'node:crypto'
import { appendFileSync } from 'node:fs'
import pg from 'pg'
import type { Test } from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { pgliteTemplate } from './support/pglite-template.js'
import { createFromTemplate, postgresTemplate } from './support/postgres-template.js'

/**
 * Test support. Every integration suite runs on embedded PGlite and, when
 * TEST_DATABASE_URL is set, on PostgreSQL too: each file gets its own fresh database,
 * copied from a migrated template, and dropped at the end.
 */
export type DatabaseKind = 'pglite' | 'postgres'
export const databaseKinds: DatabaseKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']

export const ADMIN_KEY = 'crm_test_bootstrap_admin_key_0123456789'
const PII_KEY = randomBytes(32).toString('base64')

type Tap = Test

export type GqlResult<T = Record<string, any>> = { status: number; data: T; errors?: { message: string; extensions?: { code?: string; fields?: unknown } }[] }

export class TestApp {
  queries = 0
  adminToken = ''
  constructor(readonly app: FastifyInstance, readonly kind: DatabaseKind) {}

  /** POST /graphql as the given token; returns status, data and errors. */
  async gql<T = Record<string, any>>(token: string | null, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GqlResult<T>> {
    const res = await this.app.inject({
      method: 'POST', url: '/graphql', payload: { query, variables },
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }
    })
    const body = res.json()
    return { status: res.statusCode, data: body.data, errors: body.errors }
  }

  /** An HTTP call with a bearer token. */
  rest(token: string | null, method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}) {
    return this.app.inject({
      method, url, ...(payload !== undefined ? { payload: payload as InjectOptions['payload'] } : {}),
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }
    })
  }

  /** Raw SQL against the test database, to assert what was stored (audit, outbox, ciphertext). */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    const db = this.app.database
    if (db.pool) return (await db.pool.query(text, params)).rows as T[]
    return (await db.pglite!.query<T>(text, params)).rows
  }

  async tokenFor(apiKey: string): Promise<string> {
    const res = await this.rest(null, 'POST', '/api/v1/auth/token', { apiKey })
    if (res.statusCode !== 200) throw new Error(`token exchange failed: ${res.body}`)
    return res.json().accessToken
  }

  async createTeam(name = `team-${randomBytes(4).toString('hex')}`): Promise<string> {
    const r = await this.gql(this.adminToken, 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { team { id } userErrors { message } } }', { i: { name } })
    return r.data.createTeam.team.id
  }

  /** A staff user with an API key of the same role, and a token for it. */
  async staff(role: string, opts: { teamId?: string; name?: string; readOnly?: boolean; entities?: string[] } = {}): Promise<{ userId: string; token: string }> {
    const u = await this.gql(this.adminToken, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { field message } } }',
      { i: { name: opts.name ?? `${role} ${randomBytes(3).toString('hex')}`, role, teamId: opts.teamId } })
    const userId = u.data.createUser.user.id
    const k = await this.gql(this.adminToken, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret userErrors { field message } } }',
      { i: { name: `${role} key`, role, userId, readOnly: opts.readOnly, entities: opts.entities } })
    return { userId, token: await this.tokenFor(k.data.createApiKey.secret) }
  }

  /** A key with no user behind it (integration, service, admin). */
  async keyToken(role: string, opts: { readOnly?: boolean; entities?: string[] } = {}): Promise<string> {
    const k = await this.gql(this.adminToken, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret userErrors { field message } } }',
      { i: { name: `${role} key`, role, readOnly: opts.readOnly, entities: opts.entities } })
    return this.tokenFor(k.data.createApiKey.secret)
  }
}

/**
 * A new database on TEST_DATABASE_URL's server, dropped on teardown; its URL. It is a copy of a
 * migrated, empty template (test/support/postgres-template.ts): the app's migrator finds nothing to do.
 */
export async function freshPostgresDatabase(t: Tap, prefix = 'crm_test'): Promise<string> {
  const base = process.env.TEST_DATABASE_URL!
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  try {
    try {
      await createFromTemplate(admin, name, await postgresTemplate(admin, base))
    } catch (err) {
      // 3D000: the template went between our look and the copy (a checkout with other migrations
      // dropped it as stale); build it again.
      if ((err as { code?: string }).code !== '3D000') throw err
      await createFromTemplate(admin, name, await postgresTemplate(admin, base))
    }
  } finally {
    await admin.end()
  }
  t.teardown(async () => {
    const c = new pg.Client({ connectionString: base })
    await c.connect()
    await c.query(`drop database if exists ${name} with (force)`)
    await c.end()
  })
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

/** Builds the app on a fresh database of the given kind; closed and dropped on teardown. */
export async function buildTestApp(t: Tap, kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestApp> {
  const started = performance.now()
  const databaseUrl = kind === 'postgres' ? await freshPostgresDatabase(t) : undefined
  const config = loadConfig({
    DATA_DIR: 'memory://',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '8' } : {}),
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    PII_KEY,
    LOG_LEVEL: 'silent',
    // Suites that test jobs turn them on; the rest need no queue.
    JOBS_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    MESSAGE_WORKER_ENABLED: 'false',
    JOURNEY_WORKER_ENABLED: 'false',
    ...env
  })
  let testApp: TestApp | undefined
  const app = await buildApp({
    config, logger: false, onQuery: () => { if (testApp) testApp.queries++ },
    ...(kind === 'pglite' ? { pgliteTemplate: await pgliteTemplate() } : {})
  })
  testApp = new TestApp(app, kind)
  t.teardown(() => app.close())
  testApp.adminToken = await testApp.tokenFor(ADMIN_KEY)
  // TEST_SUITE_TIMES=<file> (test/support/suites.ts): each build's wall time, the fixed cost of a suite.
  if (process.env.TEST_SUITE_TIMES) appendFileSync(process.env.TEST_SUITE_TIMES, `app-build ${kind} ${((performance.now() - started) / 1000).toFixed(2)}s\n`)
  return testApp
}

/** Runs the same suite once per database kind, each on its own fresh database (`env`: extra configuration). */
export async function forEachDatabase(t: Tap, fn: (t: Tap, ctx: TestApp) => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  for (const kind of databaseKinds) {
    await t.test(kind, async (t) => {
      const ctx = await buildTestApp(t, kind, env)
      await fn(t, ctx)
    })
  }
}
