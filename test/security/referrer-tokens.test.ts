import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test as Tap } from 'tap'
import { forEachDatabase, type TestApp } from '../helper.js'
import { createReferrer, newPhone } from '../modules/referrals/support.js'

// Each process trusts a key's or referrer's status this long; short so the window is observable.
const TTL_MS = 300

const LIST = '{ referrals { totalCount } }'
const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } userErrors { code } } }'

async function tokenFrom(ctx: TestApp, issuer: string, referrerId: string): Promise<string> {
  const res = await ctx.rest(issuer, 'POST', '/api/v1/auth/referrer-token', { referrerId })
  if (res.statusCode !== 200) throw new Error(`referrer token: ${res.body}`)
  return res.json().accessToken
}

/** Every way a referrer token reads or writes referrals: both APIs, list and submit. */
async function calls(ctx: TestApp, token: string) {
  const gqlList = await ctx.gql(token, LIST)
  const gqlSubmit = await ctx.gql(token, SUBMIT, { i: { name: 'Friend', phone: newPhone() } })
  const restList = await ctx.rest(token, 'GET', '/api/v1/referrals')
  const restSubmit = await ctx.rest(token, 'POST', '/api/v1/referrals', { name: 'Friend', phone: newPhone() })
  return { gqlList, gqlSubmit, restList, restSubmit }
}

async function worksEverywhere(t: Tap, ctx: TestApp, token: string) {
  const c = await calls(ctx, token)
  t.equal(c.gqlList.errors, undefined, 'GraphQL referrals works')
  t.match(c.gqlSubmit.data.submitReferral, { referral: { id: String }, userErrors: [] }, 'GraphQL submitReferral works')
  t.equal(c.restList.statusCode, 200, 'REST list works')
  t.equal(c.restSubmit.statusCode, 201, c.restSubmit.body)
}

async function refusedEverywhere(t: Tap, ctx: TestApp, token: string) {
  const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n
  const c = await calls(ctx, token)
  for (const r of [c.gqlList, c.gqlSubmit]) {
    t.equal(r.status, 401)
    t.match(r.errors, [{ extensions: { code: 'UNAUTHENTICATED' } }])
    t.notOk(r.data?.referrals ?? r.data?.submitReferral)
  }
  for (const r of [c.restList, c.restSubmit]) {
    t.equal(r.statusCode, 401)
    t.equal(r.json().code, 'CRM_ERR_UNAUTHENTICATED')
  }
  const after = (await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n
  t.equal(after, before, 'nothing was created')
}



await forEachDatabase(t, async (t, ctx) => {
  await t.test('suspending a referrer ends its tokens within the status window', async (t) => {
    const r = await createReferrer(ctx)
    const token = await tokenFrom(ctx, ctx.adminToken, r.id)
    await worksEverywhere(t, ctx, token)
    const up = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateReferrer(id: $id, input: { status: suspended }) { referrer { status } userErrors { code } } }', { id: r.id })
    t.same(up.data.updateReferrer, { referrer: { status: 'suspended' }, userErrors: [] })
    await sleep(TTL_MS + 100)
    await refusedEverywhere(t, ctx, token)
  })

  await t.test('archiving a referrer ends its tokens too (only active referrers hold sessions)', async (t) => {
    const r = await createReferrer(ctx)
    const token = await tokenFrom(ctx, ctx.adminToken, r.id)
    t.equal((await ctx.rest(token, 'GET', '/api/v1/referrals')).statusCode, 200)
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateReferrer(id: $id, input: { status: archived }) { userErrors { code } } }', { id: r.id })
    await sleep(TTL_MS + 100)
    t.equal((await ctx.rest(token, 'GET', '/api/v1/referrals')).statusCode, 401)
  })

  await t.test('deleting a referrer ends its tokens within the status window', async (t) => {
    const r = await createReferrer(ctx)
    const token = await tokenFrom(ctx, ctx.adminToken, r.id)
    await worksEverywhere(t, ctx, token)
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${r.id}`)
    t.equal(del.statusCode, 204, del.body)
    await sleep(TTL_MS + 100)
    await refusedEverywhere(t, ctx, token)
  })

  await t.test('revoking the integration key that issued a referrer token ends that token', async (t) => {
    const k = await ctx.gql(ctx.adminToken, 'mutation { createApiKey(input: { name: "frontend", role: integration }) { apiKey { id } secret } }')
    const keyId = k.data.createApiKey.apiKey.id
    const integration = await ctx.tokenFor(k.data.createApiKey.secret)
    const r = await createReferrer(ctx)
    const token = await tokenFrom(ctx, integration, r.id)
    const other = await tokenFrom(ctx, ctx.adminToken, r.id)
    await worksEverywhere(t, ctx, token)
    const rev = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { revokeApiKey(id: $id) { userErrors { code } } }', { id: keyId })
    t.same(rev.data.revokeApiKey.userErrors, [])
    await sleep(TTL_MS + 100)
    await refusedEverywhere(t, ctx, token)
    // The referrer itself is fine: a token from another, still valid key keeps working.
    await worksEverywhere(t, ctx, other)
  })

  await t.test('a referrer token does not present its issuing key as the caller', async (t) => {
    const r = await createReferrer(ctx)
    const me = await ctx.gql(await tokenFrom(ctx, ctx.adminToken, r.id), '{ me { role apiKeyId } }')
    t.same(me.data.me, { role: 'referrer', apiKeyId: null })
  })
}, { API_KEY_STATUS_TTL_MS: String(TTL_MS) })
