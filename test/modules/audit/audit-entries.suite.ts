import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { customerWithPhone } from './support.js'

const LIST = `query($f: AuditEntryFilter, $n: Int, $a: String) { auditEntries(first: $n, after: $a, filter: $f) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind at actorType actorId actorRole action entityType entityId entityIds rowCount fields changes filter requestId } } } }`

await forEachDatabase(t, async (t, ctx) => {
  const c = await customerWithPhone(ctx)
  await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${c.id}`, { name: 'Renamed' })
  const read = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)
  const auditor = await ctx.staff('auditor')

  await t.test('one record\'s trail: its writes and the reads of its personal data, newest first (variables and inline)', async (t) => {
    const r = await ctx.gql(auditor.token, LIST, { f: { entityId: c.id } })
    t.equal(r.errors, undefined)
    const nodes = r.data.auditEntries.edges.map((e: { node: Record<string, unknown> }) => e.node)
    // The answers of the create and the update carried the clear phone too: reads as well.
    t.same(nodes.map((n: { action: string }) => n.action), ['customer.read', 'customer.read', 'customer.updated', 'customer.read', 'customer.created'])
    t.match(nodes[0], { kind: 'access', entityId: null, entityIds: [c.id], rowCount: 1, fields: ['email', 'phone'], requestId: read.headers['x-request-id'], actorRole: 'admin' })
    t.match(nodes[2], { kind: 'write', entityId: c.id, changes: { name: { from: String, to: 'Renamed' } } })
    t.equal(r.data.auditEntries.totalCount, 5)
    t.notMatch(JSON.stringify(nodes), c.phone, 'no clear phone in the trail')
    const inline = await ctx.gql(auditor.token, `query { auditEntries(filter: { entityId: "${c.id}", kind: write, entityType: "customer" }) { totalCount edges { node { action } } } }`)
    t.same(inline.data.auditEntries.edges.map((e: { node: { action: string } }) => e.node.action), ['customer.updated', 'customer.created'])
    const access = await ctx.gql(auditor.token, `query { auditEntries(filter: { kind: access, action: "customer.read" }) { totalCount } }`)
    t.ok(access.data.auditEntries.totalCount >= 1)
  })

  await t.test('filters by actor and period; bad filters are BAD_USER_INPUT', async (t) => {
    const none = await ctx.gql(auditor.token, LIST, { f: { actorId: auditor.userId } })
    t.equal(none.data.auditEntries.totalCount, 0, 'the auditor\'s own reads of the trail are not access entries')
    const future = await ctx.gql(auditor.token, LIST, { f: { from: '2999-01-01T00:00:00Z' } })
    t.equal(future.data.auditEntries.totalCount, 0)
    const past = await ctx.gql(auditor.token, LIST, { f: { to: '2000-01-01T00:00:00Z' } })
    t.equal(past.data.auditEntries.totalCount, 0)
    const bad = await ctx.gql(auditor.token, LIST, { f: { entityId: 'nope' } })
    t.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    const rest = await ctx.rest(auditor.token, 'GET', '/api/v1/audit?entityId=nope')
    t.equal(rest.statusCode, 400)
    const cursor = await ctx.gql(auditor.token, LIST, { a: 'garbage' })
    t.equal(cursor.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('keyset paging walks every entry once, GraphQL and REST alike', async (t) => {
    for (let i = 0; i < 3; i++) await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c.id}`)
    const all = await ctx.gql(auditor.token, LIST, { n: 200 })
    const total = all.data.auditEntries.totalCount
    t.equal(all.data.auditEntries.edges.length, total)
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const page: { data: { auditEntries: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } = await ctx.gql(auditor.token, LIST, { n: 2, a: after })
      seen.push(...page.data.auditEntries.edges.map((e) => e.node.id))
      if (!page.data.auditEntries.pageInfo.hasNextPage) break
      after = page.data.auditEntries.pageInfo.endCursor
    }
    t.same(seen, all.data.auditEntries.edges.map((e: { node: { id: string } }) => e.node.id))
    const restSeen: string[] = []
    let cursor: string | null = null
    do {
      const res = await ctx.rest(auditor.token, 'GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      t.equal(res.statusCode, 200)
      const body = res.json() as { data: { id: string }[]; nextCursor: string | null }
      restSeen.push(...body.data.map((d) => d.id))
      cursor = body.nextCursor
    } while (cursor)
    t.same(restSeen, seen)
  })

  await t.test('NDJSON export: Accept header or format=ndjson, every matching entry', async (t) => {
    const count = (await ctx.gql(auditor.token, LIST, { f: { entityType: 'customer' } })).data.auditEntries.totalCount
    const a = await ctx.rest(auditor.token, 'GET', '/api/v1/audit?entityType=customer', undefined, { accept: 'application/x-ndjson' })
    t.equal(a.statusCode, 200)
    t.match(a.headers['content-type'], /application\/x-ndjson/)
    const lines = a.body.trim().split('\n').map((l) => JSON.parse(l))
    t.equal(lines.length, count)
    t.ok(lines.every((l) => l.entityType === 'customer'))
    const b = await ctx.rest(auditor.token, 'GET', '/api/v1/audit?entityType=customer&format=ndjson')
    t.equal(b.body, a.body)
  })

  await t.test('only admins and auditors read the trail; nobody changes it', async (t) => {
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/audit')).statusCode, 200)
    for (const role of ['manager', 'sales', 'marketing', 'service', 'integration']) {
      const s = await ctx.staff(role)
      t.equal((await ctx.rest(s.token, 'GET', '/api/v1/audit')).statusCode, 403, role)
      const g = await ctx.gql(s.token, '{ auditEntries { totalCount } }')
      t.equal(g.errors?.[0]?.extensions?.code, 'FORBIDDEN', role)
    }
    const ref = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'R' })
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.json().id })).json().accessToken
    t.equal((await ctx.rest(token, 'GET', '/api/v1/audit')).statusCode, 403, 'referrer')
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const r = await ctx.rest(ctx.adminToken, method, '/api/v1/audit', {})
      t.ok([404, 405].includes(r.statusCode), `${method} /audit has no route`)
    }
  })

  await t.test('the database refuses to change or delete an entry, except a scrub of changes', async (t) => {
    const [w] = await ctx.sql<{ id: string }>('select id from audit_entries where entity_id = $1 limit 1', [c.id])
    const [a] = await ctx.sql<{ id: string }>('select id from access_entries limit 1')
    await t.rejects(ctx.sql('update audit_entries set action = $2 where id = $1', [w.id, 'x']), /append-only/)
    await t.rejects(ctx.sql('delete from audit_entries where id = $1', [w.id]), /append-only/)
    await t.rejects(ctx.sql('update access_entries set row_count = 0 where id = $1', [a.id]), /append-only/)
    await t.rejects(ctx.sql('delete from access_entries where id = $1', [a.id]), /append-only/)
    await ctx.sql(`update audit_entries set changes = '{"phone":"[erased]"}' where id = $1`, [w.id])
    const [after] = await ctx.sql<{ changes: unknown }>('select changes from audit_entries where id = $1', [w.id])
    t.same(after.changes, { phone: '[erased]' })
  })
})
