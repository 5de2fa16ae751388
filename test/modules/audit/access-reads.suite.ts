import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { accessMark, accessSince, customerWithPhone } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const made = [await customerWithPhone(ctx), await customerWithPhone(ctx), await customerWithPhone(ctx)]
  const ids = made.map((c) => c.id)

  await t.test('a GraphQL page that selects phone writes exactly one entry with the page ids and the field', async (t) => {
    const mark = await accessMark(ctx)
    const r = await ctx.gql(ctx.adminToken, 'query($f: Int) { customers(first: $f) { edges { node { id phone } } } }', { f: 50 })
    t.equal(r.errors, undefined)
    const rows = await accessSince(ctx, mark)
    t.equal(rows.length, 1)
    t.equal(rows[0].action, 'customer.read')
    t.same(rows[0].fields, ['phone'])
    t.same([...rows[0].entity_ids].sort(), [...ids].sort())
    t.equal(rows[0].row_count, 3)
    t.equal(rows[0].actor_role, 'admin')
    t.ok(rows[0].request_id)
  })

  await t.test('inline arguments: same entry; a page without personal fields writes none', async (t) => {
    let mark = await accessMark(ctx)
    await ctx.gql(ctx.adminToken, 'query { customers(first: 2) { edges { node { id email phone } } } }')
    const rows = await accessSince(ctx, mark)
    t.equal(rows.length, 1)
    t.same(rows[0].fields, ['email', 'phone'])
    t.equal(rows[0].row_count, 2)
    mark = await accessMark(ctx)
    await ctx.gql(ctx.adminToken, 'query { customers(first: 50) { edges { node { id name } } } }')
    await ctx.gql(ctx.adminToken, `query { customer(id: "${ids[0]}") { id name } }`)
    t.same(await accessSince(ctx, mark), [], 'nothing personal read, nothing written')
  })

  await t.test('REST: a list page and a single record, one entry each', async (t) => {
    const mark = await accessMark(ctx)
    const list = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?limit=50')
    t.equal(list.statusCode, 200)
    const one = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${ids[1]}`)
    t.equal(one.json().phone, made[1].phone)
    const rows = await accessSince(ctx, mark)
    t.equal(rows.length, 2)
    t.equal(rows[0].row_count, 3)
    t.same(rows[1].entity_ids, [ids[1]])
    t.equal(rows[1].request_id, one.headers['x-request-id'])
  })

  await t.test('masked readers write none', async (t) => {
    const marketing = await ctx.staff('marketing')
    const auditor = await ctx.staff('auditor')
    const mark = await accessMark(ctx)
    for (const token of [marketing.token, auditor.token]) {
      const r = await ctx.gql(token, 'query { customers(first: 50) { edges { node { id phone email } } } }')
      t.equal(r.errors, undefined)
      for (const e of r.data.customers.edges) t.match(e.node.phone, /\*{4}/)
      const rest = await ctx.rest(token, 'GET', `/api/v1/customers/${ids[0]}`)
      t.match(rest.json().phone, /\*{4}/)
    }
    t.same(await accessSince(ctx, mark), [])
  })

  await t.test('an export writes its entries before and after its rows, with the filter redacted', async (t) => {
    const mark = await accessMark(ctx)
    const r = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/export/customers?search=${made[0].phone}`)
    t.equal(r.statusCode, 200)
    const rows = await accessSince(ctx, mark)
    t.ok(rows.length >= 1 && rows.length <= 2)
    t.equal(rows[0].action, 'customer.exported')
    t.same(rows[0].entity_ids, [ids[0]])
    t.same(rows[0].filter, { search: '[redacted]' })
    const all = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/export/customers')
    t.equal(all.body.trim().split('\n').length, 3)
    const after = await accessSince(ctx, mark)
    t.equal(after.slice(rows.length).reduce((s, e) => s + e.row_count, 0), 3)
  })
})
