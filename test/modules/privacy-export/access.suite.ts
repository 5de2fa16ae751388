import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { EXPORT, freshEmail, freshPhone, post, restExport } from './support.js'

/** Audit entries of exports, newest last. */
const audited = (ctx: { sql: <T>(q: string, p?: unknown[]) => Promise<T[]> }) =>
  ctx.sql<{ entity_id: string; actor_type: string; actor_role: string; api_key_id: string | null; actor_id: string | null; request_id: string | null; changes: Record<string, unknown>; text: string }>(
    "select entity_id, actor_type, actor_role, api_key_id, actor_id, request_id, changes, row_to_json(a)::text as text from audit_entries a where action = 'privacy.exported' order by id")

await forEachDatabase(t, async (t, ctx) => {
  const phone = freshPhone()
  const email = freshEmail()
  const customer = await post(ctx, '/api/v1/customers', { name: '赵六', phone, email })

  await t.test('who may export: admin and integration keys; every other role FORBIDDEN on both APIs; no token 401', async (t) => {
    const integration = await ctx.keyToken('integration')
    const readOnlyIntegration = await ctx.keyToken('integration', { readOnly: true })
    const adminUser = await ctx.staff('admin')
    for (const [who, token] of [['admin key', ctx.adminToken], ['admin user', adminUser.token], ['integration', integration], ['read-only integration', readOnlyIntegration]] as const) {
      const rest = await restExport(ctx, { phone }, token)
      t.equal(rest.statusCode, 200, `${who}: REST`)
      t.equal(rest.json().records.customers[0].phone, phone, `${who}: clear values`)
      const gql = await ctx.gql(token, EXPORT, { s: { phone } })
      t.same(gql.data.personalDataExport.userErrors, [], `${who}: GraphQL`)
    }
    const referrer = await post(ctx, '/api/v1/referrers', { kind: 'partner', name: '渠道' })
    const referrerToken = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.id })).json().accessToken
    const denied: [string, string][] = [
      ...await Promise.all(['manager', 'sales', 'marketing', 'service'].map(async (role) => [role, (await ctx.staff(role)).token] as [string, string])),
      ['referrer token', referrerToken],
      ['integration key limited to customers', await ctx.keyToken('integration', { entities: ['customers'] })]
    ]
    const before = (await audited(ctx)).length
    for (const [who, token] of denied) {
      const rest = await restExport(ctx, { phone }, token)
      t.equal(rest.statusCode, 403, `${who}: REST 403`)
      t.equal(rest.json().code, 'CRM_ERR_FORBIDDEN')
      t.notMatch(rest.body, new RegExp(phone), `${who}: nothing of the person`)
      const gql = await ctx.gql(token, EXPORT, { s: { phone } })
      t.equal(gql.errors?.[0]?.extensions?.code, 'FORBIDDEN', `${who}: GraphQL FORBIDDEN`)
      t.equal(gql.data?.personalDataExport ?? null, null)
      const bad = await restExport(ctx, {}, token)
      t.equal(bad.statusCode, 403, `${who}: refused before the input is looked at`)
    }
    t.equal((await audited(ctx)).length, before, 'a refused export is not audited as an export')
    t.equal((await restExport(ctx, { phone }, null as unknown as string)).statusCode, 401)
  })

  await t.test('each export is audited: who, role, request, when, the subject as ids and masks, never the clear value', async (t) => {
    const integration = await ctx.staff('admin')
    const res = await ctx.rest(integration.token, 'POST', '/api/v1/privacy/exports', { phone }, { 'x-request-id': 'dpo-case-2025-017' })
    const doc = res.json()
    const entry = (await audited(ctx)).find((a) => a.entity_id === doc.exportId)!
    t.ok(entry, 'one entry, named by the exportId')
    t.match(entry, { actor_type: 'user', actor_role: 'admin', actor_id: integration.userId })
    t.ok(entry.request_id, 'the request it came from')
    t.match(entry.changes, { subject: { phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` }, format: 'json', customerIds: [customer.id], counts: { customers: 1 } })
    t.notMatch(entry.text, new RegExp(phone), 'no clear phone in the entry')
    t.notMatch(entry.text, new RegExp(email.replace('.', '\\.')), 'no clear email either (its customer was found)')
    await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { email }, { accept: 'application/x-ndjson' })
    const last = (await audited(ctx)).at(-1)!
    t.match(last.changes, { subject: { email: `${email[0]}***@example.com` }, format: 'ndjson' })
    t.notMatch(last.text, new RegExp(email.replace('.', '\\.')))
    const byId = await ctx.gql(ctx.adminToken, EXPORT, { s: { customerId: customer.id } })
    const idEntry = (await audited(ctx)).find((a) => a.entity_id === byId.data.personalDataExport.export.exportId)!
    t.match(idEntry, { actor_type: 'api_key', actor_role: 'admin' })
    t.same(idEntry.changes.subject, { customerId: customer.id })
    const unknown = (await restExport(ctx, { phone: freshPhone() })).json()
    t.ok((await audited(ctx)).some((a) => a.entity_id === unknown.exportId), 'an empty export is audited too')
  })

  await t.test('Idempotency-Key: a JSON export is replayed as it was (one audit entry); a stream refuses the key, so its audit cannot be rolled back', async (t) => {
    const key = `export-${Date.now()}`
    const first = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { phone }, { 'idempotency-key': key })
    const again = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { phone }, { 'idempotency-key': key })
    t.equal(first.statusCode, 200)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.json().exportId, first.json().exportId)
    t.equal((await audited(ctx)).filter((a) => a.entity_id === first.json().exportId).length, 1, 'audited once, with the stored answer')
    const before = (await audited(ctx)).length
    const stream = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { phone }, { 'idempotency-key': `${key}-nd`, accept: 'application/x-ndjson' })
    t.equal(stream.statusCode, 400)
    t.match(stream.json().errors, [{ field: 'Idempotency-Key', code: 'NOT_REPLAYABLE' }])
    t.equal((await audited(ctx)).length, before, 'nothing exported, nothing audited')
    const plain = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { phone }, { accept: 'application/x-ndjson' })
    t.equal(plain.statusCode, 200)
    t.equal((await audited(ctx)).length, before + 1, 'without the key: streamed and audited')
  })

  await t.test('a bad subject is a typed validation error on both APIs (variables, inline, REST) and is not audited', async (t) => {
    const before = (await audited(ctx)).length
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'subject', 'SUBJECT'],
      [{ phone, email }, 'subject', 'SUBJECT'],
      [{ customerId: customer.id, referrerId: customer.id }, 'subject', 'SUBJECT'],
      [{ phone: '12345' }, 'phone', 'INVALID_PHONE'],
      [{ phone: '+86 138 1234' }, 'phone', 'INVALID_PHONE'],
      [{ email: 'not-an-email' }, 'email', 'INVALID_EMAIL'],
      [{ customerId: 'nope' }, 'customerId', 'INVALID'],
      [{ phone: '' }, 'phone', 'INVALID'],
      [{ phone: '1'.repeat(100_000) }, 'phone', 'INVALID'],
      [{ email: `${'a'.repeat(10_000)}@example.com` }, 'email', 'INVALID']
    ]
    for (const [subject, field, code] of cases) {
      const label = JSON.stringify(subject).slice(0, 60)
      const gql = await ctx.gql(ctx.adminToken, EXPORT, { s: subject })
      t.equal(gql.data?.personalDataExport?.export ?? null, null, `${label}: no export`)
      t.match(gql.data?.personalDataExport?.userErrors, [{ field, code }], `${label}: GraphQL userError ${field} ${code}`)
      const rest = await restExport(ctx, subject)
      t.equal(rest.statusCode, 400, `${label}: REST 400`)
      t.equal(rest.headers['content-type'], 'application/problem+json; charset=utf-8')
      t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field }] }, `${label}: REST names ${field}`)
      if (code !== 'INVALID') t.equal(rest.json().errors[0].code, code)
    }
    const inline = await ctx.gql(ctx.adminToken, 'mutation { personalDataExport(subject: { phone: "12345" }) { export { exportId } userErrors { field code } } }')
    t.same(inline.data.personalDataExport, { export: null, userErrors: [{ field: 'phone', code: 'INVALID_PHONE' }] })
    const none = await ctx.gql(ctx.adminToken, 'mutation { personalDataExport(subject: {}) { export { exportId } userErrors { field code } } }')
    t.same(none.data.personalDataExport, { export: null, userErrors: [{ field: 'subject', code: 'SUBJECT' }] })
    const unknownField = await ctx.gql(ctx.adminToken, 'mutation { personalDataExport(subject: { name: "赵六" }) { userErrors { code } } }')
    t.equal(unknownField.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    t.equal((await restExport(ctx, { name: '赵六' })).statusCode, 400, 'REST: an unknown field is refused')
    const zh = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', {}, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors, [{ field: 'subject', message: /^请只提供 phone、email、customerId、referrerId 之一/ }])
    t.equal((await audited(ctx)).length, before, 'nothing audited')
  })
})
