import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

// Small chunks, so a modest file crosses several COPY-staged transactions.
await forEachDatabase(t, async (t, ctx) => {
  await t.test('a file larger than a chunk: every chunk staged by COPY; a row only the database refuses is found and refused alone', async (t) => {
    const rows: string[][] = [['externalId', 'name', 'company']]
    for (let i = 1; i <= 260; i++) rows.push([`L-${i}`, `Large ${i}`, i === 137 ? 'bad\u0000byte' : `Co ${i}`])
    rows.push(['L-5', 'Large 5 again', 'Co 5 bis'])
    const r = await importBody(ctx, ctx.adminToken, 'customers', csv(rows))
    t.equal(r.status, 200)
    t.match(r.body, { rows: 261, created: 259, updated: 1, rejected: 1 })
    t.match(r.body.errors, [{ row: 137, code: 'MALFORMED' }])
    const [n] = await ctx.sql<{ n: number; events: number }>(`select count(*)::int as n,
      (select count(*)::int from outbox_events e join customers c on c.id = e.entity_id where c.external_id like 'L-%') as events
      from customers where external_id like 'L-%'`)
    t.same(n, { n: 259, events: 260 })
    const [five] = await ctx.sql<{ company: string }>(`select company from customers where external_id = 'L-5'`)
    t.equal(five.company, 'Co 5 bis')
  })

  await t.test('lists at most the configured number of errors and counts the rest', async (t) => {
    const rows: string[][] = [['externalId', 'name', 'gender']]
    for (let i = 1; i <= 12; i++) rows.push([`E-${i}`, `Err ${i}`, 'robot'])
    const r = await importBody(ctx, ctx.adminToken, 'customers', csv(rows))
    t.match(r.body, { rejected: 12, errorsOmitted: 7 })
    t.equal(r.body.errors.length, 5)
  })

  await t.test("a merged customer's externalId updates the survivor, as the single write does", async (t) => {
    await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name'], ['MG-S', 'Survivor'], ['MG-M', 'Merged']]))
    const ids = Object.fromEntries((await ctx.sql<{ id: string; external_id: string }>(`select id, external_id from customers where external_id like 'MG-%'`)).map((c) => [c.external_id, c.id]))
    const merge = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { message } } }', { s: ids['MG-S'], m: [ids['MG-M']] })
    t.same(merge.data.mergeCustomers.userErrors, [])
    const r = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'title'], ['MG-M', 'Survivor', 'CTO']]))
    t.match(r.body, { updated: 1, rejected: 0 })
    const [s] = await ctx.sql<{ title: string }>(`select title from customers where id = $1`, [ids['MG-S']])
    t.equal(s.title, 'CTO')
  })
}, { IMPORT_CHUNK_ROWS: '50', IMPORT_MAX_ERRORS: '5' })
