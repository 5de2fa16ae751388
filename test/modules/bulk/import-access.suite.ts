import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: teamA })
  const mate = await ctx.staff('sales', { teamId: teamA })
  const other = await ctx.staff('sales', { teamId: teamB })
  const marketing = await ctx.staff('marketing')
  const readOnly = await ctx.keyToken('integration', { readOnly: true })

  await t.test('a role that may not write the entity gets 403 and nothing is read or written', async (t) => {
    const body = csv([['externalId', 'name'], ['X-1', 'Nope']])
    t.equal((await importBody(ctx, marketing.token, 'customers', body)).status, 403)
    t.equal((await importBody(ctx, rep.token, 'orders', body)).status, 403, 'sales never write orders')
    t.equal((await importBody(ctx, readOnly, 'referrers', body)).status, 403)
    t.equal((await importBody(ctx, null as unknown as string, 'customers', body)).status, 401)
    const [n] = await ctx.sql<{ n: number }>(`select count(*)::int as n from customers where external_id = 'X-1'`)
    t.equal(n.n, 0)
  })

  await t.test('a sales rep imports for itself and its team; other owners and records are refused per row', async (t) => {
    const first = await importBody(ctx, other.token, 'customers', csv([['externalId', 'name'], ['T-B', 'Team B customer']]))
    t.match(first.body, { created: 1 })
    const r = await importBody(ctx, rep.token, 'customers', csv([
      ['externalId', 'name', 'ownerId'],
      ['T-1', 'Mine', rep.userId],
      ['T-2', 'For a mate', mate.userId],
      ['T-3', 'For another team', other.userId],
      ['T-B', 'Not ours', ''],
      ['T-4', 'Unknown owner', '0190e0a0-0000-7000-8000-000000000000']
    ]))
    t.match(r.body, { created: 2, rejected: 3 })
    const byRow = Object.fromEntries(r.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, `${e.field}:${e.code}`]))
    t.same(byRow, { 3: 'ownerId:FORBIDDEN', 4: 'externalId:NOT_FOUND', 5: 'ownerId:UNKNOWN_USER' })
    const [b] = await ctx.sql<{ name: string }>(`select name from customers where external_id = 'T-B'`)
    t.equal(b.name, 'Team B customer', "another team's customer is not changed")
    const noOwner = await importBody(ctx, rep.token, 'customers', csv([['externalId', 'name', 'ownerId'], ['T-1', 'Mine', '']]))
    t.match(noOwner.body, { errors: [{ row: 1, field: 'ownerId', code: 'REQUIRED', message: 'cannot be cleared' }] }, 'a team-scoped writer cannot clear the owner')
    const defaulted = await importBody(ctx, rep.token, 'customers', csv([['externalId', 'name'], ['T-5', 'Owner left out']]))
    t.match(defaulted.body, { created: 1 })
    const [owned] = await ctx.sql<{ owner_id: string }>(`select owner_id from customers where external_id = 'T-5'`)
    t.equal(owned.owner_id, rep.userId, 'without an ownerId column the importer owns what it creates')
  })

  await t.test('the body must be CSV or NDJSON in UTF-8 or GBK, with known columns', async (t) => {
    const json = await ctx.app.inject({ method: 'POST', url: '/api/v1/import/customers', payload: { externalId: 'J', name: 'J' }, headers: { authorization: `Bearer ${ctx.adminToken}` } })
    t.equal(json.statusCode, 415)
    t.equal(json.json().code, 'CRM_ERR_UNSUPPORTED_MEDIA_TYPE')
    const latin = await importBody(ctx, ctx.adminToken, 'customers', 'externalId,name\nL,L\n', 'text/csv; charset=latin1')
    t.equal(latin.status, 415)
    const unknown = await importBody(ctx, ctx.adminToken, 'customers', 'externalId,name,favouriteColour\nU,U,red\n')
    t.equal(unknown.status, 400)
    t.match(unknown.body.errors, [{ field: 'favouriteColour', code: 'UNKNOWN_COLUMN' }])
    const entity = await importBody(ctx, ctx.adminToken, 'campaigns', 'externalId,name\nU,U\n')
    t.equal(entity.status, 400)
    const snake = await importBody(ctx, ctx.adminToken, 'customers', 'external_id,NAME,source_channel\nSN-1,Snake,wechat\n')
    t.match(snake.body, { created: 1 }, 'columns match in any case, with or without underscores')
  })

  await t.test('malformed CSV stops the import where it breaks; the rows before it are written', async (t) => {
    const r = await importBody(ctx, ctx.adminToken, 'customers', 'externalId,name\nQ-1,Fine\nQ-2,"broken\n')
    t.equal(r.status, 200)
    t.match(r.body, { complete: false, created: 1, rejected: 1, errors: [{ row: 2, code: 'MALFORMED_CSV' }] })
    const short = await importBody(ctx, ctx.adminToken, 'customers', 'externalId,name\nQ-3\nQ-4,Four\n')
    t.match(short.body, { complete: true, created: 1, errors: [{ row: 1, code: 'COLUMN_COUNT' }] })
    const nd = await importBody(ctx, ctx.adminToken, 'customers', '{"externalId":"Q-5","name":"Five"}\nnot json\n[1]\n\n{"externalId":"Q-6","name":"Six"}\n', 'application/x-ndjson')
    t.match(nd.body, { rows: 4, created: 2, errors: [{ row: 2, code: 'INVALID_JSON' }, { row: 3, code: 'INVALID' }] })
  })
})
