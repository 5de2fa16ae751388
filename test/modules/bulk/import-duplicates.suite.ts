import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

type RowError = { row: number; field: string; code: string; existingId?: string; duplicateOfRow?: number }
const dupes = (errors: RowError[]) => errors.filter((e) => e.code === 'DUPLICATE').map(({ row, field, existingId, duplicateOfRow }) => ({ row, field, existingId, duplicateOfRow }))

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const existing = (await ctx.rest(admin, 'POST', '/api/v1/customers', { name: '已有', phone: '13812345678', email: 'has@example.com', externalId: 'D-0' })).json()

  await t.test('customer rows that would duplicate a live customer, or an earlier row, are reported as duplicate', async (t) => {
    const body = csv([
      ['externalId', 'name', 'phone', 'email'],
      ['D-1', 'Same phone', '+86 138-1234-5678', ''],
      ['D-2', 'Same email', '', 'HAS@example.com'],
      ['D-3', 'New', '13900000001', ''],
      ['D-4', 'Repeats row 3', '139 0000 0001', ''],
      ['D-0', 'Its own record', '13812345678', 'has@example.com'],
      ['D-5', 'Fresh', '13900000002', 'fresh@example.com']
    ])
    const r = await importBody(ctx, admin, 'customers', body)
    t.equal(r.status, 200, JSON.stringify(r.body))
    t.match(r.body, { rows: 6, created: 2, updated: 1, rejected: 3, duplicate: 3 })
    t.same(dupes(r.body.errors), [
      { row: 1, field: 'phone', existingId: existing.id, duplicateOfRow: undefined },
      { row: 2, field: 'email', existingId: existing.id, duplicateOfRow: undefined },
      { row: 4, field: 'phone', existingId: undefined, duplicateOfRow: 3 }
    ])
    const [n] = await ctx.sql<{ n: number }>(`select count(*)::int as n from customers where external_id in ('D-1', 'D-2', 'D-4')`)
    t.equal(n.n, 0, 'nothing of them was written')
  })

  await t.test('a later import meets the rows an earlier one wrote as live customers', async (t) => {
    const r = await importBody(ctx, admin, 'customers', csv([['externalId', 'name', 'phone'], ['D-6', 'Again', '13900000001']]))
    const [d3] = await ctx.sql<{ id: string }>(`select id from customers where external_id = 'D-3'`)
    t.same(dupes(r.body.errors), [{ row: 1, field: 'phone', existingId: d3.id, duplicateOfRow: undefined }])
  })

  await t.test('an import row that changes a phone to one another customer has is duplicate', async (t) => {
    const r = await importBody(ctx, admin, 'customers', csv([['externalId', 'name', 'phone'], ['D-5', 'Fresh', '13812345678']]))
    t.match(r.body, { updated: 0, duplicate: 1 })
    t.equal(r.body.errors[0].existingId, existing.id)
  })

  await t.test('?allowDuplicate=true writes them', async (t) => {
    const r = await importBody(ctx, admin, 'customers', csv([['externalId', 'name', 'phone'], ['D-7', 'A', '13812345678'], ['D-8', 'B', '13812345678']]), 'text/csv', '?allowDuplicate=true')
    t.match(r.body, { created: 2, rejected: 0, duplicate: 0 })
  })

  await t.test('a sales rep sees no id of a customer outside their reach', async (t) => {
    const rep = await ctx.staff('sales')
    const r = await importBody(ctx, rep.token, 'customers', csv([['externalId', 'name', 'email'], ['R-1', 'Rep', 'has@example.com']]))
    t.same(dupes(r.body.errors), [{ row: 1, field: 'email', existingId: undefined, duplicateOfRow: undefined }])
    t.notMatch(JSON.stringify(r.body), existing.id)
  })

  await t.test('referrer rows are checked against live referrers (NDJSON too)', async (t) => {
    const first = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'Partner', phone: '13700000001' })).json()
    const body = [
      { externalId: 'RF-1', kind: 'partner', name: 'Same phone', phone: '13700000001' },
      { externalId: 'RF-2', kind: 'partner', name: 'New', email: 'p@example.com' },
      { externalId: 'RF-3', kind: 'partner', name: 'Repeats row 2', email: 'P@example.com' },
      // A customer with this phone exists: referrers are compared with referrers only.
      { externalId: 'RF-4', kind: 'customer', name: 'Also a customer', phone: '13812345678' }
    ].map((o) => JSON.stringify(o)).join('\n')
    const r = await importBody(ctx, admin, 'referrers', body, 'application/x-ndjson')
    t.match(r.body, { created: 2, duplicate: 2 })
    t.same(dupes(r.body.errors), [
      { row: 1, field: 'phone', existingId: first.id, duplicateOfRow: undefined },
      { row: 3, field: 'email', existingId: undefined, duplicateOfRow: 2 }
    ])
  })
})
