import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createReferrer, newPhone, referrerToken, submit } from '../referrals/support.js'
import { accessMark, accessSince, customerWithPhone } from './support.js'

const masked = /^\d{3}\*{4}\d{4}$/

await forEachDatabase(t, async (t, ctx) => {
  const c = await customerWithPhone(ctx)
  const referrer = await createReferrer(ctx, { phone: newPhone(), email: `ref${Date.now()}@example.com` })
  const sub = await submit(ctx, ctx.adminToken, { referrerId: referrer.id, name: '被推荐人', phone: newPhone() })
  const referral = sub.referral!
  const lead = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'manual', name: '线索', phone: newPhone() })).json()
  const user = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }', { i: { name: 'Mail', role: 'sales', email: `u${Date.now()}@example.com` } })).data.createUser.user

  await t.test('referrers, referrals (the referred person), leads and users\' emails are recorded by entity', async (t) => {
    const mark = await accessMark(ctx)
    const r = await ctx.gql(ctx.adminToken, `query($r: ID!, $x: ID!, $l: ID!, $u: ID!) {
      referrer(id: $r) { id phone } referral(id: $x) { id phone } lead(id: $l) { id phone } user(id: $u) { id email } }`,
    { r: referrer.id, x: referral.id, l: lead.id, u: user.id })
    t.equal(r.errors, undefined)
    const rows = await accessSince(ctx, mark)
    t.equal(rows.length, 4, 'one row per entity type, one insert')
    const by = Object.fromEntries(rows.map((e) => [e.entity_type, e]))
    t.same(by.referrer.entity_ids, [referrer.id])
    t.same(by.referral.entity_ids, [referral.id])
    t.same(by.lead.entity_ids, [lead.id])
    t.same(by.user.entity_ids, [user.id])
    t.same(by.user.fields, ['email'])
    t.equal(new Set(rows.map((e) => e.request_id)).size, 1, 'same request')
  })

  await t.test('REST lists of referrals and leads; a nested GraphQL read counts the nested records', async (t) => {
    const mark = await accessMark(ctx)
    const list = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrals?limit=10')
    t.equal(list.statusCode, 200)
    const leads = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/leads?limit=10')
    t.equal(leads.statusCode, 200)
    const nested = await ctx.gql(ctx.adminToken, `query { referrer(id: "${referrer.id}") { id name referrals(first: 10) { edges { node { id phone } } } } }`)
    t.equal(nested.errors, undefined)
    const rows = await accessSince(ctx, mark)
    t.same(rows.map((e) => e.entity_type), ['referral', 'lead', 'referral'])
    t.same(rows[2].entity_ids, [referral.id], 'the referrer itself: no personal field selected, not recorded')
  })

  await t.test('a referrer token sees masked contact and writes no entry', async (t) => {
    const token = await referrerToken(ctx, referrer.id)
    const mark = await accessMark(ctx)
    const r = await ctx.gql(token, `query { referrals(first: 10) { edges { node { id phone } } } }`)
    t.equal(r.errors, undefined)
    for (const e of r.data.referrals.edges) t.match(e.node.phone, masked)
    t.same(await accessSince(ctx, mark), [])
  })

  await t.test('an auditor reads every record with phone and email masked, writes nothing', async (t) => {
    const auditor = await ctx.staff('auditor')
    const mark = await accessMark(ctx)
    const g = await ctx.gql(auditor.token, `query($c: ID!, $r: ID!, $x: ID!, $l: ID!) {
      customer(id: $c) { phone email } referrer(id: $r) { phone email } referral(id: $x) { phone } lead(id: $l) { phone }
      customers(first: 200) { edges { node { phone } } } referrals(first: 200) { edges { node { phone } } } leads(first: 200) { edges { node { phone } } } }`,
    { c: c.id, r: referrer.id, x: referral.id, l: lead.id })
    t.equal(g.errors, undefined)
    const text = JSON.stringify(g.data)
    t.notMatch(text, /1[3-9]\d{9}/, 'no clear mobile number anywhere in GraphQL')
    t.match(g.data.customer.phone, masked)
    for (const url of [`/api/v1/customers/${c.id}`, `/api/v1/referrers/${referrer.id}`, `/api/v1/referrals/${referral.id}`, `/api/v1/leads/${lead.id}`,
      '/api/v1/customers', '/api/v1/referrals', '/api/v1/leads', '/api/v1/referrers', '/api/v1/export/customers', '/api/v1/export/leads']) {
      const r = await ctx.rest(auditor.token, 'GET', url)
      t.equal(r.statusCode, 200, url)
      t.notMatch(r.body, /(?<![\d*])1[3-9]\d{9}(?!\d)/, `${url}: no clear mobile number`)
    }
    t.same(await accessSince(ctx, mark), [])
    const write = await ctx.rest(auditor.token, 'PATCH', `/api/v1/customers/${c.id}`, { name: 'x' })
    t.equal(write.statusCode, 403, 'read only')
    const mutation = await ctx.gql(auditor.token, `mutation { updateCustomer(id: "${c.id}", input: { name: "x" }) { userErrors { code } } }`)
    t.equal(mutation.errors?.[0]?.extensions?.code ?? mutation.data?.updateCustomer?.userErrors?.[0]?.code, 'FORBIDDEN')
  })
})

await forEachDatabase(t, async (t, ctx) => {
  const c = await customerWithPhone(ctx)
  const mark = await accessMark(ctx)
  const r = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)
  t.equal(r.json().phone, c.phone)
  t.same(await accessSince(ctx, mark), [], 'AUDIT_READS=false: no entry')
}, { AUDIT_READS: 'false' })
