import t, { type Test as Tap } from 'tap'
import { PiiCipher } from '../../../src/lib/pii.js'
import { databaseKinds, type TestApp } from '../../helper.js'
import { newKey, Restartable } from './boot.js'

/**
 * PII key rotation end to end (docs/security.md): data written under key A; restart with B
 * current and A previous (reads, searches, duplicate checks still work); the re-seal leaves
 * nothing under A and every index equal to B's; restart with B alone: everything still works.
 */
const CUSTOMER_PHONE = '13812340001'
const REFERRER_PHONE = '13912340002'
const PERSON_PHONE = '13712340003'
const EMAIL = 'rotate.me@example.com'

type Ids = { customer: string; referrer: string; referrer2: string; referral: string; idemKey: string }

const ERASED_EXTERNAL_ID = 'ROTATE-ERASED-1'

async function writeUnderA(ctx: TestApp): Promise<Ids> {
  const admin = ctx.adminToken
  const customer = (await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Rotated customer', phone: CUSTOMER_PHONE, email: EMAIL }, { 'idempotency-key': 'rotate-idem-1' })).json()
  const referrer = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { name: 'Rotated referrer', kind: 'partner', phone: REFERRER_PHONE })).json()
  const referrer2 = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { name: 'Second referrer', kind: 'partner' })).json()
  const referral = (await ctx.rest(admin, 'POST', '/api/v1/referrals', { referrerId: referrer.id, name: 'Referred person', phone: PERSON_PHONE })).json()
  const hook = await ctx.rest(admin, 'POST', '/api/v1/webhook-endpoints', { url: 'https://93.184.216.34/hook' })
  if (hook.statusCode !== 201) throw new Error(hook.body)
  // An erased person, whose tombstone (its externalId's index, keyed) must outlive the key it was made under.
  const erased = (await ctx.rest(admin, 'PUT', `/api/v1/customers/by-external-id/${ERASED_EXTERNAL_ID}`, { name: 'Erased under A', phone: '13512340005' })).json()
  const erasure = await ctx.rest(admin, 'POST', '/api/v1/privacy/erasures', { subject: { customerId: erased.id }, reason: 'rotation test' })
  if (erasure.statusCode !== 201) throw new Error(erasure.body)
  return { customer: customer.id, referrer: referrer.id, referrer2: referrer2.id, referral: referral.id, idemKey: 'rotate-idem-1' }
}

/** What must hold under every key configuration: clear reads, searches, duplicate and referral checks. */
async function checkEverythingWorks(t: Tap, ctx: TestApp, ids: Ids, label: string): Promise<void> {
  const admin = ctx.adminToken
  const read = (await ctx.rest(admin, 'GET', `/api/v1/customers/${ids.customer}`)).json()
  t.match(read, { phone: CUSTOMER_PHONE, email: EMAIL }, `${label}: clear read`)
  for (const [path, search, id] of [
    ['customers', CUSTOMER_PHONE, ids.customer], ['customers', EMAIL, ids.customer], ['referrers', REFERRER_PHONE, ids.referrer], ['referrals', PERSON_PHONE, ids.referral]
  ] as const) {
    const rest = (await ctx.rest(admin, 'GET', `/api/v1/${path}?search=${encodeURIComponent(search)}`)).json()
    t.ok(rest.data.some((r: { id: string }) => r.id === id), `${label}: REST ${path} search by ${search}`)
  }
  const inline = await ctx.gql(admin, `{ customers(filter: { search: "${CUSTOMER_PHONE}" }) { totalCount edges { node { id } } } }`)
  t.equal(inline.data.customers.edges[0]?.node.id, ids.customer, `${label}: GraphQL search (inline)`)
  const vars = await ctx.gql(admin, 'query($f: ReferrerFilter) { referrers(filter: $f) { edges { node { id phone } } } }', { f: { search: REFERRER_PHONE } })
  t.match(vars.data.referrers.edges, [{ node: { id: ids.referrer, phone: REFERRER_PHONE } }], `${label}: GraphQL search (variables)`)

  const dup = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Same phone', phone: `+86 ${CUSTOMER_PHONE}` })
  t.equal(dup.statusCode, 409, `${label}: duplicate phone refused`)
  const dupGql = await ctx.gql(admin, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }', { i: { name: 'Same email', email: EMAIL.toUpperCase() } })
  t.match(dupGql.data.createCustomer.userErrors, [{ code: 'DUPLICATE' }], `${label}: duplicate email refused`)

  const claimed = (await ctx.rest(admin, 'POST', '/api/v1/referrals', { referrerId: ids.referrer2, name: 'Again', phone: PERSON_PHONE })).json()
  t.match(claimed, { status: 'rejected', rejectionReason: 'duplicate' }, `${label}: the first referrer's claim holds`)
  const known = (await ctx.rest(admin, 'POST', '/api/v1/referrals', { referrerId: ids.referrer2, name: 'Known', phone: CUSTOMER_PHONE })).json()
  t.match(known, { status: 'rejected', rejectionReason: 'already_customer' }, `${label}: an existing customer`)
  const self = (await ctx.rest(admin, 'POST', '/api/v1/referrals', { referrerId: ids.referrer, name: 'Myself', phone: REFERRER_PHONE })).json()
  t.match(self, { status: 'rejected', rejectionReason: 'self_referral' }, `${label}: a self-referral`)

  const replay = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Rotated customer', phone: CUSTOMER_PHONE, email: EMAIL }, { 'idempotency-key': ids.idemKey })
  t.equal(replay.json().id, ids.customer, `${label}: the stored Idempotency-Key answer still opens`)

  const back = await ctx.rest(admin, 'PUT', `/api/v1/customers/by-external-id/${ERASED_EXTERNAL_ID}`, { name: 'Back again' })
  t.match({ status: back.statusCode, body: back.json() }, { status: 409, body: { errors: [{ field: 'externalId', code: 'ERASED' }] } }, `${label}: the erased person's externalId stays retired`)
  const exported = await ctx.rest(admin, 'POST', '/api/v1/privacy/exports', { phone: CUSTOMER_PHONE })
  t.ok(exported.json().records?.customers?.some((c: { id: string }) => c.id === ids.customer), `${label}: a personal-data export by phone finds the customer`)
}

const statusQuery = '{ piiKeyStatus { currentKeyId previousKeyIds staleValues stale { table column keyId count } } }'

for (const kind of databaseKinds) {
  await t.test(kind, async (t) => {
    const A = newKey()
    const B = newKey()
    const a = new PiiCipher(Buffer.from(A, 'base64'))
    const b = new PiiCipher(Buffer.from(B, 'base64'))
    const db = new Restartable(t, kind)
    t.teardown(() => db.stop())

    let ctx = await db.start({ PII_KEY: A })
    const ids = await writeUnderA(ctx)
    const [row] = await ctx.sql<{ phone_enc: string }>('select phone_enc from customers where id = $1', [ids.customer])
    t.ok(row.phone_enc.startsWith(`v2.${a.keyId}.`), 'a value names its key')
    // A value from before values named their key (v1.) still opens: written here by hand.
    await ctx.sql("update customers set email_enc = 'v1.' || substr(email_enc, length($2) + 1) where id = $1", [ids.customer, a.currentPrefix])
    await checkEverythingWorks(t, ctx, ids, 'key A')

    ctx = await db.start({ PII_KEY: B, PII_KEYS_PREVIOUS: A })
    await checkEverythingWorks(t, ctx, ids, 'B with A previous, before the re-seal')
    const before = await ctx.gql(ctx.adminToken, statusQuery)
    t.match(before.data.piiKeyStatus, { currentKeyId: b.keyId, previousKeyIds: [a.keyId] })
    t.ok(before.data.piiKeyStatus.staleValues >= 8, 'old values counted')
    t.ok(before.data.piiKeyStatus.stale.some((s: { table: string; keyId: string }) => s.table === 'customers' && s.keyId === 'v1'), 'the v1 value is counted')
    t.ok(before.data.piiKeyStatus.stale.some((s: { table: string; column: string }) => s.table === 'webhook_endpoints' && s.column === 'secret_enc'), 'webhook secrets counted')
    const fresh = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Written under B', phone: '13612340004' })).json()
    const [freshRow] = await ctx.sql<{ phone_enc: string }>('select phone_enc from customers where id = $1', [fresh.id])
    t.ok(freshRow.phone_enc.startsWith(b.currentPrefix), 'new writes use the new key')

    const denied = await ctx.gql((await ctx.staff('manager')).token, 'mutation { startPiiReseal { queued userErrors { code } } }')
    t.equal(denied.errors?.[0]?.extensions?.code, 'FORBIDDEN', 'only admins start the re-seal')
    const started = await ctx.gql(ctx.adminToken, 'mutation { startPiiReseal { queued status { staleValues } userErrors { code } } }')
    t.match(started.data.startPiiReseal, { queued: false, status: { staleValues: 0 }, userErrors: [] }, 'ran in the request (no jobs in this process)')
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/pii-keys/status')
    t.match(rest.json(), { currentKeyId: b.keyId, staleValues: 0, stale: [] })

    // The raw database: no value under A, every index B's, the claim re-keyed.
    const encs = await ctx.sql<{ v: string }>(`
      select phone_enc as v from customers where phone_enc is not null union all select email_enc from customers where email_enc is not null
      union all select phone_enc from referrers where phone_enc is not null union all select phone_enc from referrals where phone_enc is not null
      union all select phone_enc from leads where phone_enc is not null union all select secret_enc from webhook_endpoints
      union all select response_body from idempotency_keys where response_body is not null`)
    t.ok(encs.length >= 7)
    t.ok(encs.every((e) => e.v.startsWith(b.currentPrefix)), 'every sealed value under B')
    const [c] = await ctx.sql<{ phone_idx: string; email_idx: string }>('select phone_idx, email_idx from customers where id = $1', [ids.customer])
    t.strictSame(c, { phone_idx: b.index(CUSTOMER_PHONE), email_idx: b.index(EMAIL) }, "the customer's indexes are B's")
    const [lead] = await ctx.sql<{ phone_idx: string }>('select phone_idx from leads where phone_idx is not null limit 1')
    if (lead) t.equal(lead.phone_idx, b.index(PERSON_PHONE))
    const claims = await ctx.sql<{ contact_key: string }>('select contact_key from referral_claims where referral_id = $1', [ids.referral])
    t.strictSame(claims.map((k) => k.contact_key), [`phone:${b.index(PERSON_PHONE)}`], 'the attribution claim is keyed by B')
    await checkEverythingWorks(t, ctx, ids, 'B with A previous, after the re-seal')

    ctx = await db.start({ PII_KEY: B })
    await checkEverythingWorks(t, ctx, ids, 'B alone')
    const after = await ctx.gql(ctx.adminToken, statusQuery)
    t.match(after.data.piiKeyStatus, { currentKeyId: b.keyId, previousKeyIds: [], staleValues: 0 })
    const [hook] = await ctx.sql<{ secret_enc: string }>('select secret_enc from webhook_endpoints limit 1')
    t.match(b.open(hook.secret_enc), /^whsec_/, 'the webhook secret opens with B')
  })
}
