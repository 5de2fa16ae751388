import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { ERASE, newPhone } from './support.js'

const CREATE = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }'
const UPSERT = 'mutation($e: String!, $i: CreateCustomerInput!) { upsertCustomer(externalId: $e, input: $i) { customer { id name } userErrors { field code message } } }'

async function customer(ctx: TestApp, input: Record<string, unknown>): Promise<string> {
  return (await ctx.gql(ctx.adminToken, CREATE, { i: { name: '某人', ...input } })).data.createCustomer.customer.id
}

async function importBody(ctx: TestApp, entity: string, body: string, type = 'text/csv') {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/import/${entity}`, payload: body, headers: { authorization: `Bearer ${ctx.adminToken}`, 'content-type': type } })
  return { status: res.statusCode, body: res.json() }
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('only an administrator may erase: every other role is FORBIDDEN on both APIs, and nothing changes', async (t) => {
    const phone = newPhone()
    const id = await customer(ctx, { phone })
    const team = await ctx.createTeam()
    const tokens: [string, string][] = []
    for (const role of ['manager', 'sales', 'marketing', 'service']) tokens.push([role, (await ctx.staff(role, { teamId: team })).token])
    tokens.push(['integration', await ctx.keyToken('integration')])
    tokens.push(['read-only admin', await ctx.keyToken('admin', { readOnly: true })])
    const ref = (await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: partner, name: "R" }) { referrer { id } } }')).data.createReferrer.referrer.id
    tokens.push(['referrer', (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref })).json().accessToken])
    for (const [role, token] of tokens) {
      const g = await ctx.gql(token, ERASE, { i: { subject: { customerId: id }, reason: 'x' } })
      t.equal(g.errors?.[0]?.extensions?.code, 'FORBIDDEN', `GraphQL: ${role}`)
      const r = await ctx.rest(token, 'POST', '/api/v1/privacy/erasures', { subject: { phone }, reason: 'x' })
      t.equal(r.statusCode, 403, `REST: ${role}`)
    }
    const none = await ctx.rest(null, 'POST', '/api/v1/privacy/erasures', { subject: { phone }, reason: 'x' })
    t.equal(none.statusCode, 401)
    const [row] = await ctx.sql<{ name: string; phone_idx: string | null }>('select name, phone_idx from customers where id = $1', [id])
    t.equal(row.name, '某人')
    t.ok(row.phone_idx, 'still there')
  })

  await t.test('the subject is exactly one of phone, email, customerId, referrerId; bad input is a typed error on both APIs', async (t) => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'subject'], [{ phone: '13800000000', email: 'a@b.cn' }, 'subject'], [{ phone: '12345' }, 'subject.phone'], [{ email: 'not-an-email' }, 'subject.email']
    ]
    for (const [subject, field] of cases) {
      const g = await ctx.gql(ctx.adminToken, ERASE, { i: { subject, reason: 'x' } })
      t.match(g.data.erasePersonalData, { erasure: null, userErrors: [{ field }] }, `GraphQL ${JSON.stringify(subject)}`)
      const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject, reason: 'x' })
      t.equal(r.statusCode, 400, `REST ${JSON.stringify(subject)}`)
    }
    const inline = await ctx.gql(ctx.adminToken, 'mutation { erasePersonalData(input: { subject: { customerId: "not-a-uuid" }, reason: "x" }) { erasure { id } userErrors { field code } } }')
    t.ok(inline.errors || inline.data.erasePersonalData.userErrors.length > 0, 'a bad id inline is refused')
    const empty = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject: { phone: '13800000000' }, reason: '' })
    t.equal(empty.statusCode, 400, 'a reason is required')
    const huge = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject: { phone: '13800000000' }, reason: 'x'.repeat(100_000) })
    t.equal(huge.statusCode, 400, 'a huge reason is refused')
    const missing = await ctx.gql(ctx.adminToken, ERASE, { i: { subject: { customerId: '01900000-0000-7000-8000-000000000000' }, reason: 'x' } })
    t.equal(missing.errors?.[0]?.extensions?.code, 'NOT_FOUND', 'an unknown id is NOT_FOUND')
    const unknownPhone = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject: { phone: newPhone() }, reason: 'x' })
    t.equal(unknownPhone.statusCode, 201, 'an unknown phone answers like a known one')
    t.equal(unknownPhone.json().recordsErased, 0)
  })

  await t.test('an erased person does not come back: upserts and imports by their externalId are refused with CONFLICT / ERASED', async (t) => {
    const phone = newPhone()
    const id = await customer(ctx, { phone, externalId: 'ERP-GONE-1' })
    const ref = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } } }',
      { i: { kind: 'customer', name: '某人', externalId: 'REF-GONE-1', customerId: id } })).data.createReferrer.referrer.id
    const lead = (await ctx.gql(ctx.adminToken, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { code message } } }',
      { i: { source: 'web', name: '某人', phone, externalId: 'LEAD-GONE-1', customerId: id } })).data.createLead.lead?.id
    const erased = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject: { customerId: id }, reason: 'PIPL request' })
    t.equal(erased.statusCode, 201, erased.body)
    t.same(erased.json().referrerIds, [ref], 'the same person as a referrer is erased too')
    if (lead) t.same(erased.json().leadIds, [lead])

    const g = await ctx.gql(ctx.adminToken, UPSERT, { e: 'ERP-GONE-1', i: { name: 'Back again', phone } })
    t.match(g.data.upsertCustomer, { customer: null, userErrors: [{ field: 'externalId', code: 'ERASED' }] })
    const rest = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/ERP-GONE-1', { name: 'Back again' })
    t.equal(rest.statusCode, 409)
    t.match(rest.json().errors, [{ field: 'externalId', code: 'ERASED' }])
    const r = await ctx.gql(ctx.adminToken, 'mutation { upsertReferrer(externalId: "REF-GONE-1", input: { kind: partner, name: "Back" }) { referrer { id } userErrors { field code } } }')
    t.match(r.data.upsertReferrer, { referrer: null, userErrors: [{ field: 'externalId', code: 'ERASED' }] })
    const l = await ctx.gql(ctx.adminToken, 'mutation { upsertLead(externalId: "LEAD-GONE-1", input: { source: "web", name: "Back" }) { lead { id } userErrors { field code } } }')
    if (lead) t.match(l.data.upsertLead, { lead: null, userErrors: [{ field: 'externalId', code: 'ERASED' }] })

    const csv = await importBody(ctx, 'customers', `externalId,name,phone\nERP-GONE-1,Back again,${phone}\nERP-NEW-1,Someone new,\n`)
    t.match(csv.body, { created: 1, rejected: 1, errors: [{ row: 1, field: 'externalId', code: 'ERASED' }] }, 'CSV: that row refused, the other imported')
    const nd = await importBody(ctx, 'referrers', '{"externalId":"REF-GONE-1","kind":"partner","name":"Back"}\n', 'application/x-ndjson')
    t.match(nd.body, { created: 0, rejected: 1, errors: [{ row: 1, code: 'ERASED' }] }, 'NDJSON too')
    const [{ n }] = await ctx.sql<{ n: number }>("select count(*)::int as n from customers where external_id = 'ERP-GONE-1'")
    t.equal(n, 0, 'no record took the externalId back')
    const fresh = await ctx.gql(ctx.adminToken, CREATE, { i: { name: 'A new relationship', phone } })
    t.ok(fresh.data.createCustomer.customer, 'the same phone may start a new record (no history) by a plain create')
  })
})
