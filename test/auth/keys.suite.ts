import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { referrers } from '../../src/db/schema/referrers.js'
import { buildTestApp, databaseKinds, type TestApp } from '../helper.js'

// Each process trusts a key's status for this long; short here so revocation is observable without long sleeps.
const KEY_TTL_MS = 500

const CREATE_KEY = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id expiresAt } secret userErrors { field code message } } }'
const REVOKE_KEY = 'mutation($id: ID!) { revokeApiKey(id: $id) { apiKey { id revokedAt } userErrors { code } } }'
const CREATE_CUSTOMER = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { field code } } }'

async function createKey(ctx: TestApp, input: Record<string, unknown>) {
  const r = await ctx.gql(ctx.adminToken, CREATE_KEY, { i: { name: 'test key', ...input } })
  return r.data.createApiKey as { apiKey: { id: string; expiresAt: string | null } | null; secret: string | null; userErrors: { field: string; code: string }[] }
}

const exchange = (ctx: TestApp, apiKey: string) => ctx.rest(null, 'POST', '/api/v1/auth/token', { apiKey })

async function newReferrer(ctx: TestApp, status: 'active' | 'suspended' = 'active'): Promise<string> {
  const code = `R${Math.random().toString(36).slice(2, 10).toUpperCase()}`
  const [row] = await ctx.app.db.insert(referrers).values({ kind: 'partner', name: `Referrer ${code}`, code, status }).returning({ id: referrers.id })
  return row.id
}

for (const kind of databaseKinds) {
  await t.test(kind, async (t) => {
    const ctx = await buildTestApp(t, kind, { API_KEY_STATUS_TTL_MS: String(KEY_TTL_MS) })

    await t.test('me returns the role and the staff user behind the key', async (t) => {
      const team = await ctx.createTeam()
      const rep = await ctx.staff('sales', { teamId: team, name: 'Rep Me' })
      const r = await ctx.gql(rep.token, '{ me { role readOnly entities apiKeyId user { id name role team { id } } } }')
      t.equal(r.errors, undefined)
      t.match(r.data.me, { role: 'sales', readOnly: false, entities: null, apiKeyId: String, user: { id: rep.userId, name: 'Rep Me', role: 'sales', team: { id: team } } })
      const admin = await ctx.gql(ctx.adminToken, '{ me { role user { id } } }')
      t.same(admin.data.me, { role: 'admin', user: null })
    })

    await t.test('a read-only key reads but every write is FORBIDDEN, on GraphQL and REST', async (t) => {
      const token = await ctx.keyToken('integration', { readOnly: true })
      const me = await ctx.gql(token, '{ me { readOnly } }')
      t.equal(me.data.me.readOnly, true)
      const read = await ctx.gql(token, '{ customers { totalCount } }')
      t.equal(read.errors, undefined)
      const write = await ctx.gql(token, CREATE_CUSTOMER, { i: { name: 'Nope' } })
      t.match(write.errors, [{ extensions: { code: 'FORBIDDEN' } }])
      t.equal(write.data?.createCustomer ?? null, null)
      const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Nope' })
      t.equal(rest.statusCode, 403)
      t.match(rest.headers['content-type'], /^application\/problem\+json/)
      t.equal(rest.json().code, 'CRM_ERR_FORBIDDEN')
      const after = await ctx.gql(ctx.adminToken, '{ customers(filter: { search: "Nope" }) { totalCount } }')
      t.equal(after.data.customers.totalCount, 0)
    })

    await t.test('a key narrowed to customers may read customers but users is FORBIDDEN', async (t) => {
      const token = await ctx.keyToken('integration', { entities: ['customers'] })
      const ok = await ctx.gql(token, '{ customers { totalCount } }')
      t.equal(ok.errors, undefined)
      const users = await ctx.gql(token, '{ users { totalCount } }')
      t.match(users.errors, [{ extensions: { code: 'FORBIDDEN' } }])
      const rest = await ctx.rest(token, 'GET', '/api/v1/users')
      t.equal(rest.statusCode, 403)
      t.equal(rest.json().code, 'CRM_ERR_FORBIDDEN')
    })

    await t.test('refuses an unknown entity name when narrowing a key', async (t) => {
      const r = await createKey(ctx, { role: 'integration', entities: ['customers', 'secrets'] })
      t.equal(r.secret, null)
      t.match(r.userErrors, [{ field: /^entities/ }])
    })

    await t.test('admin and integration callers issue referrer tokens that see only the referrer role', async (t) => {
      const referrerId = await newReferrer(ctx)
      for (const token of [ctx.adminToken, await ctx.keyToken('integration')]) {
        const res = await ctx.rest(token, 'POST', '/api/v1/auth/referrer-token', { referrerId })
        t.equal(res.statusCode, 200, res.body)
        t.match(res.json(), { accessToken: String, tokenType: 'Bearer', expiresIn: Number })
        const me = await ctx.gql(res.json().accessToken, '{ me { role user { id } apiKeyId } }')
        t.same(me.data.me, { role: 'referrer', user: null, apiKeyId: null })
        const customers = await ctx.gql(res.json().accessToken, '{ customers { totalCount } }')
        t.match(customers.errors, [{ extensions: { code: 'FORBIDDEN' } }])
      }
    })

    await t.test('sales, manager and read-only callers may not issue referrer tokens (403)', async (t) => {
      const referrerId = await newReferrer(ctx)
      const team = await ctx.createTeam()
      const tokens = [
        (await ctx.staff('sales', { teamId: team })).token,
        (await ctx.staff('manager')).token,
        await ctx.keyToken('integration', { readOnly: true })
      ]
      for (const token of tokens) {
        const res = await ctx.rest(token, 'POST', '/api/v1/auth/referrer-token', { referrerId })
        t.equal(res.statusCode, 403)
        t.equal(res.json().code, 'CRM_ERR_FORBIDDEN')
      }
    })

    await t.test('a referrer token for an unknown or suspended referrer is refused', async (t) => {
      const missing = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: '01890000-0000-7000-8000-000000000000' })
      t.equal(missing.statusCode, 404)
      t.equal(missing.json().code, 'CRM_ERR_NOT_FOUND')
      const malformed = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: 'nope' })
      t.equal(malformed.statusCode, 400)
      t.match(malformed.json().errors, [{ field: 'referrerId' }])
      const suspended = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: await newReferrer(ctx, 'suspended') })
      t.equal(suspended.statusCode, 422)
    })

    await t.test('a revoked key gets no new token at once, and its issued tokens stop within the cache window', async (t) => {
      const created = await createKey(ctx, { role: 'integration' })
      const token = (await exchange(ctx, created.secret!)).json().accessToken
      t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
      const revoked = await ctx.gql(ctx.adminToken, REVOKE_KEY, { id: created.apiKey!.id })
      t.match(revoked.data.revokeApiKey, { apiKey: { revokedAt: String }, userErrors: [] })

      const again = await exchange(ctx, created.secret!)
      t.equal(again.statusCode, 401)
      t.equal(again.json().code, 'CRM_ERR_UNAUTHENTICATED')

      await sleep(KEY_TTL_MS + 100)
      const rest = await ctx.rest(token, 'GET', '/api/v1/customers')
      t.equal(rest.statusCode, 401)
      t.equal(rest.json().code, 'CRM_ERR_UNAUTHENTICATED')
      const gql = await ctx.gql(token, '{ me { role } }')
      t.equal(gql.status, 401)
      t.match(gql.errors, [{ extensions: { code: 'UNAUTHENTICATED' } }])
    })

    await t.test('refuses a key whose expiresAt is in the past', async (t) => {
      const r = await createKey(ctx, { role: 'integration', expiresAt: new Date(Date.now() - 60_000).toISOString() })
      t.equal(r.apiKey, null)
      t.match(r.userErrors, [{ field: 'expiresAt', code: 'IN_THE_PAST' }])
    })

    await t.test('a key that expires stops issuing tokens, and its tokens stop working', async (t) => {
      const expiresAt = new Date(Date.now() + 2500)
      const created = await createKey(ctx, { role: 'integration', expiresAt: expiresAt.toISOString() })
      t.same(created.userErrors, [])
      const first = await exchange(ctx, created.secret!)
      t.equal(first.statusCode, 200)
      const token = first.json().accessToken
      t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)

      await sleep(expiresAt.getTime() - Date.now() + Math.max(KEY_TTL_MS, 100) + 100)
      t.equal((await exchange(ctx, created.secret!)).statusCode, 401)
      t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 401)
    })

    await t.test('deactivating a user refuses their key and, within the cache window, their tokens', async (t) => {
      const team = await ctx.createTeam()
      const k = await createKey(ctx, { role: 'sales', userId: (await ctx.staff('sales', { teamId: team })).userId })
      const userId = (await ctx.gql(ctx.adminToken, '{ apiKeys { id user { id } } }')).data.apiKeys.find((a: { id: string }) => a.id === k.apiKey!.id).user.id
      const token = (await exchange(ctx, k.secret!)).json().accessToken
      t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 200)
      const off = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { user { active } userErrors { code } } }', { id: userId })
      t.same(off.data.updateUser, { user: { active: false }, userErrors: [] })
      t.equal((await exchange(ctx, k.secret!)).statusCode, 401)
      await sleep(KEY_TTL_MS + 100)
      t.equal((await ctx.rest(token, 'GET', '/api/v1/customers')).statusCode, 401)
    })

    await t.test('token exchange works even when the client still sends its stale token', async (t) => {
      const res = await ctx.app.inject({
        method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: 'crm_test_bootstrap_admin_key_0123456789' },
        headers: { authorization: 'Bearer expired.or.garbage' }
      })
      t.equal(res.statusCode, 200)
    })

    await t.test('a 401 tells the client to use a bearer token (WWW-Authenticate)', async (t) => {
      const none = await ctx.rest(null, 'GET', '/api/v1/customers')
      t.equal(none.headers['www-authenticate'], 'Bearer')
      const bad = await ctx.rest('garbage', 'GET', '/api/v1/customers')
      t.equal(bad.headers['www-authenticate'], 'Bearer error="invalid_token"')
    })
  })
}
