import t from 'tap'
import iconv from 'iconv-lite'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('imports a UTF-8 CSV, with or without a BOM, normalising and sealing contact fields', async (t) => {
    const body = csv([
      ['externalId', 'name', 'phone', 'email', 'tags', 'company'],
      ['C-1', '张三', '+86 138-0013-8000', 'Zhang.San@Example.com', 'vip;华东', 'ACME'],
      ['C-2', '李四', '', '', '', '']
    ])
    const plain = await importBody(ctx, ctx.adminToken, 'customers', body)
    t.equal(plain.status, 200, JSON.stringify(plain.body))
    t.match(plain.body, { entity: 'customers', format: 'csv', rows: 2, accepted: 2, created: 2, updated: 0, rejected: 0, errors: [], complete: true })
    // The same people again under other externalIds: duplicates on purpose.
    const withBom = await importBody(ctx, ctx.adminToken, 'customers', `\uFEFF${body.replace(/C-/g, 'B-')}`, 'text/csv', '?allowDuplicate=true')
    t.match(withBom.body, { rows: 2, created: 2, rejected: 0 })
    const [row] = await ctx.sql<{ phone_masked: string; email_masked: string; phone_enc: string; tags: string[]; owner_id: string | null }>(
      `select phone_masked, email_masked, phone_enc, tags, owner_id from customers where external_id = 'C-1'`)
    t.equal(row.phone_masked, '138****8000')
    t.equal(row.email_masked, 'z***@example.com')
    t.notMatch(row.phone_enc, /13800138000/)
    t.same(row.tags, ['vip', '华东'])
    const got = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?search=13800138000')
    t.equal(got.json().data[0].phone, '13800138000', 'found by the blind index, opened for an admin')
    t.equal(got.json().data[0].email, 'zhang.san@example.com')
    const [b] = await ctx.sql<{ name: string }>(`select name from customers where external_id = 'B-1'`)
    t.equal(b.name, '张三', 'the BOM is not part of the first column name')
  })

  await t.test('reads GBK when the charset or ?encoding says so', async (t) => {
    const body = iconv.encode(csv([['externalId', 'name', 'region'], ['G-1', '王五', '华南']]), 'gbk')
    const byHeader = await importBody(ctx, ctx.adminToken, 'customers', body, 'text/csv; charset=GBK')
    t.match(byHeader.body, { encoding: 'gbk', created: 1 })
    const body2 = iconv.encode(csv([['externalId', 'name'], ['G-2', '赵六']]), 'gbk')
    const byQuery = await importBody(ctx, ctx.adminToken, 'customers', body2, 'text/csv', '?encoding=gbk')
    t.match(byQuery.body, { encoding: 'gbk', created: 1 })
    const rows = await ctx.sql<{ external_id: string; name: string; region: string | null }>(`select external_id, name, region from customers where external_id like 'G-%' order by external_id`)
    t.same(rows, [{ external_id: 'G-1', name: '王五', region: '华南' }, { external_id: 'G-2', name: '赵六', region: null }])
  })

  await t.test('imports NDJSON with the same fields a single write takes', async (t) => {
    const body = [
      { externalId: 'N-1', name: 'Nd One', tags: ['a'], attributes: { erp: 7 }, lifecycleStage: 'loyal', tier: 'A', birthday: '1990-02-28' },
      { externalId: 'N-2', name: 'Nd Two', consent: { granted: true, at: '2024-01-01T00:00:00Z', channel: 'web', purpose: 'marketing' } }
    ].map((r) => JSON.stringify(r)).join('\n')
    const r = await importBody(ctx, ctx.adminToken, 'customers', body, 'application/x-ndjson')
    t.match(r.body, { format: 'ndjson', rows: 2, created: 2, rejected: 0 })
    const [n1] = await ctx.sql<{ attributes: unknown; lifecycle_stage: string; tier: string }>(`select attributes, lifecycle_stage, tier from customers where external_id = 'N-1'`)
    t.same(n1, { attributes: { erp: 7 }, lifecycle_stage: 'loyal', tier: 'A' })
  })

  await t.test('a bad row is reported with row, field and reason and never written; the good ones are', async (t) => {
    const body = csv([
      ['externalId', 'name', 'phone', 'email', 'gender', 'birthday', 'attributes'],
      ['M-1', 'Good One', '13900001111', '', '', '', ''],
      ['M-2', 'Bad Phone', '12345', '', '', '', ''],
      ['M-3', '', '', '', '', '', ''],
      ['M-4', 'Bad Gender', '', '', 'robot', '', ''],
      ['M-5', 'Bad Day', '', '', '', '2023-02-30', ''],
      ['M-6', 'Bad Json', '', '', '', '', '{nope'],
      ['', 'No Id', '', '', '', '', ''],
      ['M-8', 'Good Two', '', 'two@example.com', 'female', '1980-12-31', '{"k":1}']
    ])
    const r = await importBody(ctx, ctx.adminToken, 'customers', body)
    t.match(r.body, { rows: 8, accepted: 2, created: 2, rejected: 6 })
    const byRow = Object.fromEntries(r.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, `${e.field}:${e.code}`]))
    t.same(byRow, { 2: 'phone:INVALID_PHONE', 3: 'name:INVALID', 4: 'gender:INVALID', 5: 'birthday:MALFORMED', 6: 'attributes:INVALID_JSON', 7: 'externalId:REQUIRED' })
    t.ok(r.body.errors.every((e: { message: string }) => e.message.length > 0))
    const stored = await ctx.sql<{ external_id: string }>(`select external_id from customers where external_id like 'M-%' order by external_id`)
    t.same(stored.map((s) => s.external_id), ['M-1', 'M-8'])
    const audits = await ctx.sql<{ n: number }>(`select count(*)::int as n from audit_entries a join customers c on c.id = a.entity_id where c.external_id like 'M-%'`)
    t.equal(audits[0].n, 2, 'an audit entry per written row, none for refused ones')
  })

  await t.test('a second import updates by externalId: only given columns, events and audit for what changed', async (t) => {
    await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'company', 'phone'], ['U-1', 'First', 'Old Co', '13700001234'], ['U-2', 'Same', 'Same Co', '']]))
    const [before] = await ctx.sql<{ id: string; version: number }>(`select id, version from customers where external_id = 'U-1'`)
    const second = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'company'], ['U-1', 'First', 'New Co'], ['U-2', 'Same', 'Same Co']]))
    t.match(second.body, { rows: 2, created: 0, updated: 1, unchanged: 1, accepted: 2 })
    const [after] = await ctx.sql<{ id: string; version: number; company: string; phone_masked: string }>(`select id, version, company, phone_masked from customers where external_id = 'U-1'`)
    t.equal(after.id, before.id)
    t.equal(after.version, before.version + 1)
    t.equal(after.company, 'New Co')
    t.equal(after.phone_masked, '137****1234', 'a column left out of the file is left alone')
    const events = await ctx.sql<{ type: string; data: { changes: Record<string, unknown>; version: number } }>(
      `select type, data from outbox_events where entity_id = $1 order by occurred_at, id`, [before.id])
    t.same(events.map((e) => e.type), ['customer.created', 'customer.updated'])
    t.same(events[1].data.changes, { company: { from: 'Old Co', to: 'New Co' } })
    t.equal(events[1].data.version, after.version)
    const created = events[0].data as unknown as { customer: Record<string, unknown> }
    t.match(created.customer, { id: before.id, externalId: 'U-1', name: 'First', phone: '137****1234', email: null, tags: [], version: 1 })
    t.match(created.customer.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    const audit = await ctx.sql<{ action: string; actor_role: string; changes: unknown }>(`select action, actor_role, changes from audit_entries where entity_id = $1 order by at, id`, [before.id])
    t.same(audit.map((a) => a.action), ['customer.created', 'customer.updated'])
    t.equal(audit[1].actor_role, 'admin')
  })

  await t.test('the same externalId twice in one file: the later row updates the earlier one', async (t) => {
    const r = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name'], ['D-1', 'First'], ['D-1', 'Second']]))
    t.match(r.body, { created: 1, updated: 1, rejected: 0 })
    const [row] = await ctx.sql<{ name: string; version: number }>(`select name, version from customers where external_id = 'D-1'`)
    t.same(row, { name: 'Second', version: 2 })
  })
})
