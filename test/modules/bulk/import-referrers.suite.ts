import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('imports referrers with their own or generated codes; a taken code refuses the row', async (t) => {
    const taken = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'Holder', code: 'TAKEN-01' })
    t.equal(taken.statusCode, 201)
    const r = await importBody(ctx, ctx.adminToken, 'referrers', csv([
      ['externalId', 'kind', 'name', 'code', 'phone', 'status'],
      ['R-1', 'partner', 'Partner One', 'own-code', '13811112222', ''],
      ['R-2', 'influencer', 'Generated', '', '', 'suspended'],
      ['R-3', 'partner', 'Clash', 'taken-01', '', ''],
      ['R-4', 'partner', 'Dup In File', 'OWN-CODE', '', ''],
      ['R-5', 'alien', 'Bad Kind', '', '', ''],
      ['R-6', 'employee', 'Bad Code', 'no', '', '']
    ]))
    t.equal(r.status, 200, JSON.stringify(r.body))
    t.match(r.body, { entity: 'referrers', rows: 6, created: 2, rejected: 4 })
    const byRow = Object.fromEntries(r.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, `${e.field}:${e.code}`]))
    t.same(byRow, { 3: 'code:TAKEN', 4: 'code:TAKEN', 5: 'kind:INVALID', 6: 'code:INVALID_CODE' })
    const rows = await ctx.sql<{ external_id: string; code: string; status: string; phone_masked: string | null }>(
      `select external_id, code, status, phone_masked from referrers where external_id like 'R-%' order by external_id`)
    t.equal(rows.length, 2)
    t.same(rows[0], { external_id: 'R-1', code: 'OWN-CODE', status: 'active', phone_masked: '138****2222' })
    t.match(rows[1], { external_id: 'R-2', status: 'suspended', code: /^[A-Z2-9]{8}$/ })
    const byCode = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/by-code/${rows[1].code.toLowerCase()}`)
    t.equal(byCode.json().name, 'Generated', 'a generated code works like one made by a single write')
  })

  await t.test('a second import updates by externalId and keeps the code unless one is given', async (t) => {
    const [before] = await ctx.sql<{ id: string; code: string }>(`select id, code from referrers where external_id = 'R-2'`)
    const r = await importBody(ctx, ctx.adminToken, 'referrers', JSON.stringify({ externalId: 'R-2', kind: 'influencer', name: 'Renamed', tier: 'gold' }), 'application/x-ndjson')
    t.match(r.body, { updated: 1, created: 0, rejected: 0 })
    const [after] = await ctx.sql<{ id: string; code: string; name: string; tier: string; version: number }>(`select id, code, name, tier, version from referrers where external_id = 'R-2'`)
    t.same(after, { id: before.id, code: before.code, name: 'Renamed', tier: 'gold', version: 2 })
    const events = await ctx.sql<{ type: string; data: { changes?: Record<string, unknown> } }>(`select type, data from outbox_events where entity_id = $1 order by occurred_at, id`, [before.id])
    t.same(events.map((e) => e.type), ['referrer.created', 'referrer.updated'])
    t.same(Object.keys(events[1].data.changes!).sort(), ['name', 'tier'])
  })

  await t.test('a linked customer must exist', async (t) => {
    const r = await importBody(ctx, ctx.adminToken, 'referrers', JSON.stringify({ externalId: 'R-9', kind: 'customer', name: 'Linked', customerId: '0190e0a0-0000-7000-8000-000000000000' }), 'application/x-ndjson')
    t.match(r.body, { rejected: 1, errors: [{ row: 1, field: 'customerId', code: 'UNKNOWN_CUSTOMER' }] })
  })
})
