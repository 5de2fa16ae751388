import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, exportLines, importBody } from './import-support.js'

await forEachDatabase(t, async (t, ctx) => {
  const rows: string[][] = [['externalId', 'name', 'phone', 'email', 'tier', 'tags']]
  for (let i = 1; i <= 450; i++) rows.push([`EX-${i}`, `Export ${i}`, `139${String(i).padStart(8, '0')}`, `ex${i}@example.com`, i % 3 === 0 ? 'A' : 'B', i % 2 ? 'odd' : 'even'])
  const imported = await importBody(ctx, ctx.adminToken, 'customers', csv(rows))
  t.match(imported.body, { created: 450 })
  const marketing = await ctx.staff('marketing')

  await t.test('streams every customer as NDJSON, across keyset pages, personal fields clear for a role that may read them', async (t) => {
    const r = await exportLines(ctx, ctx.adminToken, 'customers?orderBy=name&direction=asc')
    t.equal(r.status, 200)
    t.match(r.type, /^application\/x-ndjson/)
    t.equal(r.lines.length, 450)
    t.equal(new Set(r.lines.map((l) => l.id)).size, 450, 'no row twice across pages')
    const one = r.lines.find((l) => l.externalId === 'EX-7')
    t.match(one, { name: 'Export 7', phone: '13900000007', email: 'ex7@example.com', tags: ['odd'], rfm: null })
    t.notOk('phoneEnc' in one, 'no ciphertext')
  })

  await t.test('masks personal fields for a role that may not read them', async (t) => {
    const r = await exportLines(ctx, marketing.token, 'customers?search=EX')
    const one = (await exportLines(ctx, marketing.token, 'customers')).lines.find((l) => l.externalId === 'EX-7')
    t.match(one, { phone: '139****0007', email: 'e***@example.com' })
    t.ok(r.status === 200)
  })

  await t.test('takes the list endpoint filters', async (t) => {
    const a = await exportLines(ctx, ctx.adminToken, 'customers?tier=A')
    t.equal(a.lines.length, 150)
    t.ok(a.lines.every((l) => l.tier === 'A'))
    const tagged = await exportLines(ctx, ctx.adminToken, 'customers?tag=even&tier=A')
    t.equal(tagged.lines.length, 75)
    const phone = await exportLines(ctx, ctx.adminToken, 'customers?search=13900000123')
    t.same(phone.lines.map((l) => l.externalId), ['EX-123'])
    const bad = await exportLines(ctx, ctx.adminToken, 'customers?tier=Z')
    t.equal(bad.status, 400)
  })

  await t.test('exports referrers and orders; a role without read access gets 403', async (t) => {
    await importBody(ctx, ctx.adminToken, 'referrers', csv([['externalId', 'kind', 'name', 'phone'], ['EXR-1', 'partner', 'Ref One', '13700000001']]))
    await importBody(ctx, ctx.adminToken, 'orders', csv([['externalId', 'customerExternalId', 'amount', 'paidAt'], ['EXO-1', 'EX-1', '1000', '2024-01-01T00:00:00Z'], ['EXO-2', 'EX-2', '2000', '2024-01-02T00:00:00Z']]))
    const refs = await exportLines(ctx, marketing.token, 'referrers?kind=partner')
    t.match(refs.lines, [{ externalId: 'EXR-1', phone: '137****0001' }])
    const [c1] = await ctx.sql<{ id: string }>(`select id from customers where external_id = 'EX-1'`)
    const orders = await exportLines(ctx, ctx.adminToken, `orders?customerId=${c1.id}`)
    t.match(orders.lines, [{ externalId: 'EXO-1', amount: { amount: 1000, currency: 'CNY' } }])
    const all = await exportLines(ctx, ctx.adminToken, 'orders?orderBy=amount&direction=desc')
    t.same(all.lines.map((o) => o.externalId), ['EXO-2', 'EXO-1'])
    const rep = await ctx.staff('sales')
    t.equal((await exportLines(ctx, rep.token, 'rewards')).status, 403, 'sales may not read the ledger')
    for (const entity of ['referrals', 'leads', 'opportunities', 'rewards']) t.equal((await exportLines(ctx, ctx.adminToken, entity)).status, 200, entity)
  })
})
