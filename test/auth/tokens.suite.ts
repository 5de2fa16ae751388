import { createHmac, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { createSigner, type Algorithm } from 'fast-jwt'
import { ADMIN_KEY, buildTestApp, databaseKinds, type TestApp } from '../helper.js'

// The secret, issuer and audience the test app signs with (test/helper.ts and config defaults).
const SECRET = 'test-jwt-secret-that-is-long-enough-0123456789'
const ISS = 'referral-crm'
const AUD = 'referral-crm-api'
const now = () => Math.floor(Date.now() / 1000)
const good = () => ({ sub: 'someone', role: 'admin', iss: ISS, aud: AUD, iat: now(), exp: now() + 600 })

const b64url = (v: object | string) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/** A token with exactly this header and payload, HMAC-SHA256-signed with `secret` whatever the header says. */
function forge(header: object, payload: object, secret = SECRET): string {
  const input = `${b64url(header)}.${b64url(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

function sign(payload: object, opts: { algorithm?: Algorithm; key?: string } = {}): string {
  return createSigner({ key: opts.key ?? SECRET, algorithm: opts.algorithm ?? 'HS256' })(payload)
}

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()

/** Authorization headers that must all be refused with 401, never a 500. */
const badHeaders: [string, string | undefined][] = [
  ['no Authorization header', undefined],
  ['"Bearer" with nothing after it', 'Bearer'],
  ['"Bearer" with garbage', 'Bearer not-a-jwt'],
  ['"Bearer" with three garbage segments', 'Bearer a.b.c'],
  ['the Basic scheme', `Basic ${Buffer.from('admin:secret').toString('base64')}`],
  ['the API key itself instead of a token', `Bearer ${ADMIN_KEY}`],
  ['a token signed with another secret', `Bearer ${sign(good(), { key: 'another-secret-that-is-also-long-enough-xyz' })}`],
  ['an expired token', `Bearer ${sign({ ...good(), iat: now() - 7200, exp: now() - 3600 })}`],
  ['a token for another audience', `Bearer ${sign({ ...good(), aud: 'someone-else' })}`],
  ['a token from another issuer', `Bearer ${sign({ ...good(), iss: 'evil' })}`],
  ['an unsigned token (alg none)', `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(good())}.`],
  ['an alg none token signed by fast-jwt', `Bearer ${createSigner({ algorithm: 'none' })(good())}`],
  ['an HS512 token with the right secret', `Bearer ${sign(good(), { algorithm: 'HS512' })}`],
  ['an HS256 signature under an HS512 header', `Bearer ${forge({ alg: 'HS512', typ: 'JWT' }, good())}`],
  ['an RS256 token', `Bearer ${sign(good(), { algorithm: 'RS256', key: rsaKey })}`],
  ['an HS256 signature under an RS256 header', `Bearer ${forge({ alg: 'RS256', typ: 'JWT' }, good())}`],
  ['a token without exp', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...good(), exp: undefined })}`],
  ['a token without role', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...good(), role: undefined })}`],
  ['a token with an unknown role', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...good(), role: 'root' })}`],
  ['a token without sub', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...good(), sub: undefined })}`],
  ['a referrer token without rid', `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, { ...good(), role: 'referrer' })}`],
  ['a token whose payload is not JSON', `Bearer ${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url('not json')}.c2ln`],
  ['a token for an API key that does not exist', `Bearer ${sign({ ...good(), kid: '01890000-0000-7000-8000-000000000000' })}`]
]

async function restWith(ctx: TestApp, authorization: string | undefined) {
  return ctx.app.inject({ method: 'GET', url: '/api/v1/customers', headers: authorization ? { authorization } : {} })
}

async function gqlWith(ctx: TestApp, authorization: string | undefined) {
  return ctx.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ me { role } }' }, headers: authorization ? { authorization } : {} })
}

for (const kind of databaseKinds) await t.test(kind, async (t) => {
  const ctx = await buildTestApp(t, kind)
  await t.test('exchanges a good API key for a bearer token that works', async (t) => {
    const res = await ctx.rest(null, 'POST', '/api/v1/auth/token', { apiKey: ADMIN_KEY })
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.equal(body.tokenType, 'Bearer')
    t.equal(body.expiresIn, 3600)
    t.match(body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/)
    const me = await ctx.gql(body.accessToken, '{ me { role } }')
    t.equal(me.data.me.role, 'admin')
  })

  await t.test('a token lives exactly expiresIn seconds (exp − iat), and once past exp it is refused with 401', async (t) => {
    const res = await ctx.rest(null, 'POST', '/api/v1/auth/token', { apiKey: ADMIN_KEY })
    const { accessToken, expiresIn } = res.json()
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString())
    t.equal(claims.exp - claims.iat, expiresIn)
    // The same claims, moved back in time until exp has passed, signed with the same secret.
    const shift = expiresIn + 5
    const expired = sign({ ...claims, iat: claims.iat - shift, exp: claims.exp - shift })
    const r = await ctx.rest(expired, 'GET', '/api/v1/customers')
    t.equal(r.statusCode, 401)
    t.equal(r.json().code, 'CRM_ERR_UNAUTHENTICATED')
  })

  await t.test('a token signed here with our secret, issuer and audience is accepted (the forgery baseline)', async (t) => {
    const res = await restWith(ctx, `Bearer ${sign(good())}`)
    t.equal(res.statusCode, 200)
    const forged = await restWith(ctx, `Bearer ${forge({ alg: 'HS256', typ: 'JWT' }, good())}`)
    t.equal(forged.statusCode, 200)
  })

  await t.test('refuses an unknown API key with 401 problem+json', async (t) => {
    const res = await ctx.rest(null, 'POST', '/api/v1/auth/token', { apiKey: 'crm_this_key_does_not_exist_anywhere_000' })
    t.equal(res.statusCode, 401)
    t.match(res.headers['content-type'], /^application\/problem\+json/)
    t.match(res.json(), { status: 401, code: 'CRM_ERR_UNAUTHENTICATED', title: String, detail: String, type: String })
  })

  await t.test('refuses a token request without an apiKey as 400, naming the field', async (t) => {
    const res = await ctx.rest(null, 'POST', '/api/v1/auth/token', {})
    t.equal(res.statusCode, 400)
    t.match(res.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'apiKey' }] })
  })

  for (const [name, authorization] of badHeaders) {
    await t.test(`answers 401 on REST and GraphQL for ${name}`, async (t) => {
      const rest = await restWith(ctx, authorization)
      t.equal(rest.statusCode, 401, rest.body)
      t.match(rest.headers['content-type'], /^application\/problem\+json/)
      t.match(rest.json(), { status: 401, code: 'CRM_ERR_UNAUTHENTICATED' })
      const gql = await gqlWith(ctx, authorization)
      t.equal(gql.statusCode, 401, gql.body)
      t.match(gql.json(), { data: null, errors: [{ message: String, extensions: { code: 'UNAUTHENTICATED' } }] })
    })
  }

  await t.test('health and metrics need no token', async (t) => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      const res = await ctx.app.inject({ method: 'GET', url })
      t.equal(res.statusCode, 200, url)
    }
  })
})
