import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const FIELDS = 'id kind name phone email code tier status version tags owner { id } customer { id } user { id }'
const CREATE = `mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { ${FIELDS} } userErrors { field message code } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateReferrerInput!) { updateReferrer(id: $id, input: $i) { referrer { ${FIELDS} } userErrors { field message code } } }`
const UPSERT = `mutation($x: String!, $i: CreateReferrerInput!) { upsertReferrer(externalId: $x, input: $i) { created referrer { id name version } userErrors { field code } } }`
const BY_CODE = 'query($c: String!) { referrerByCode(code: $c) { id code } }'

await forEachDatabase(t, async (t, ctx) => {
  const create = async (i: Record<string, unknown>, token = ctx.adminToken) => {
    const r = await ctx.gql(token, CREATE, { i })
    t.same(r.data.createReferrer.userErrors, [], `created ${String(i.name)}`)
    return r.data.createReferrer.referrer
  }

  await t.test('creates a referrer with a generated 8-character code and the defaults', async (t) => {
    const r = await create({ kind: 'partner', name: '李四渠道', phone: '+86 138 0000 2222', email: 'Li.Si@Example.com' })
    t.match(r.code, /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{8}$/)
    t.match(r, { kind: 'partner', phone: '13800002222', email: 'li.si@example.com', tier: 'standard', status: 'active', version: 1 })
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/${r.id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().code, r.code)
    t.equal(rest.headers.etag, '"1"')
  })

  await t.test('keeps a caller-chosen code, stored uppercase', async (t) => {
    const r = await create({ kind: 'influencer', name: 'Wang Wu', code: ' wang-wu ' })
    t.equal(r.code, 'WANG-WU')
  })

  await t.test('refuses a code already taken, in any case, as userError TAKEN on code', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { kind: 'other', name: 'Copycat', code: 'Wang-Wu' } })
    t.equal(r.data.createReferrer.referrer, null)
    t.match(r.data.createReferrer.userErrors, [{ field: 'code', code: 'TAKEN' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'other', name: 'Copycat', code: 'WANG-WU' })
    t.equal(rest.statusCode, 409)
    t.match(rest.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ field: 'code', code: 'TAKEN' }] })
  })

  await t.test('refuses a malformed code as INVALID_CODE', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { kind: 'other', name: 'Bad code', code: 'a b' } })
    t.match(r.data.createReferrer.userErrors, [{ field: 'code', code: 'INVALID_CODE' }])
  })

  await t.test('finds a referrer by code whatever the case; unknown codes give null / 404', async (t) => {
    const lower = await ctx.gql(ctx.adminToken, BY_CODE, { c: 'wang-wu' })
    t.equal(lower.data.referrerByCode.code, 'WANG-WU')
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrers/by-code/Wang-Wu')
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().id, lower.data.referrerByCode.id)
    const unknown = await ctx.gql(ctx.adminToken, BY_CODE, { c: 'NO-SUCH-CODE' })
    t.equal(unknown.data.referrerByCode, null)
    t.notOk(unknown.errors)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrers/by-code/x')).statusCode, 404)
  })

  await t.test('filters by kind, status, tier and tags, and searches by phone in any format', async (t) => {
    const a = await create({ kind: 'employee', name: 'Filter A', phone: '13911112222', tier: 'gold', tags: ['vip', 'north'] })
    await create({ kind: 'employee', name: 'Filter B', status: 'suspended', tags: ['north'] })
    const names = async (filter: Record<string, unknown>) => {
      const r = await ctx.gql(ctx.adminToken, 'query($f: ReferrerFilter) { referrers(first: 200, filter: $f) { totalCount edges { node { name } } } }', { f: filter })
      t.equal(r.data.referrers.totalCount, r.data.referrers.edges.length)
      return r.data.referrers.edges.map((e: { node: { name: string } }) => e.node.name).sort()
    }
    t.same(await names({ kind: ['employee'] }), ['Filter A', 'Filter B'])
    t.same(await names({ kind: ['employee'], status: ['suspended'] }), ['Filter B'])
    t.same(await names({ tier: 'gold' }), ['Filter A'])
    t.same(await names({ tags: ['vip', 'north'] }), ['Filter A'])
    t.same(await names({ search: '+86 139-1111-2222' }), ['Filter A'])
    t.same(await names({ search: 'filter' }), ['Filter A', 'Filter B'])
    const rest = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrers?kind=employee&status=active&search=13911112222')
    t.same(rest.json().data.map((r: { id: string }) => r.id), [a.id])
  })

  await t.test('pages through referrers by name without gaps or repeats', async (t) => {
    const seen: string[] = []
    let after: string | null = null
    do {
      const r: { data: { referrers: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } = await ctx.gql(ctx.adminToken,
        'query($a: String) { referrers(first: 2, after: $a, orderBy: { field: name, direction: ASC }) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { a: after })
      seen.push(...r.data.referrers.edges.map((e) => e.node.id))
      after = r.data.referrers.pageInfo.hasNextPage ? r.data.referrers.pageInfo.endCursor : null
    } while (after)
    const all = await ctx.gql(ctx.adminToken, '{ referrers(first: 200) { totalCount } }')
    t.equal(seen.length, all.data.referrers.totalCount)
    t.equal(new Set(seen).size, seen.length)
  })

  await t.test('refuses a stale expectedVersion (STALE_VERSION) and a stale If-Match (412)', async (t) => {
    const r = await create({ kind: 'customer', name: 'Versioned' })
    const ok = await ctx.gql(ctx.adminToken, UPDATE, { id: r.id, i: { company: 'A', expectedVersion: 1 } })
    t.equal(ok.data.updateReferrer.referrer.version, 2)
    const stale = await ctx.gql(ctx.adminToken, UPDATE, { id: r.id, i: { company: 'B', expectedVersion: 1 } })
    t.equal(stale.data.updateReferrer.referrer, null)
    t.match(stale.data.updateReferrer.userErrors, [{ field: 'expectedVersion', code: 'STALE_VERSION' }])
    const rest = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/referrers/${r.id}`, { company: 'C' }, { 'if-match': '"1"' })
    t.equal(rest.statusCode, 412)
    t.equal(rest.json().code, 'CRM_ERR_STALE_VERSION')
    const fresh = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/referrers/${r.id}`, { company: 'D', code: 'versioned' }, { 'if-match': '"2"' })
    t.equal(fresh.statusCode, 200)
    t.equal(fresh.headers.etag, '"3"')
    t.match(fresh.json(), { company: 'D', code: 'VERSIONED' })
  })

  await t.test('upserting the same externalId twice keeps one referrer and its code', async (t) => {
    const first = await ctx.gql(ctx.adminToken, UPSERT, { x: 'erp-ref-1', i: { kind: 'partner', name: 'ERP Partner' } })
    t.equal(first.data.upsertReferrer.created, true)
    const second = await ctx.gql(ctx.adminToken, UPSERT, { x: 'erp-ref-1', i: { kind: 'partner', name: 'ERP Partner Ltd' } })
    t.match(second.data.upsertReferrer, { created: false, referrer: { id: first.data.upsertReferrer.referrer.id, name: 'ERP Partner Ltd', version: 2 } })
    const put = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/referrers/by-external-id/erp-ref-1', { kind: 'partner', name: 'ERP Partner Co' })
    t.equal(put.statusCode, 200)
    t.equal(put.json().id, first.data.upsertReferrer.referrer.id)
    const fresh = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/referrers/by-external-id/erp-ref-2', { kind: 'other', name: 'New via PUT' })
    t.equal(fresh.statusCode, 201)
    const rows = await ctx.sql<{ n: number }>("select count(*)::int as n from referrers where external_id = 'erp-ref-1'")
    t.equal(rows[0].n, 1)
  })

  await t.test('refuses unknown fields on every REST body and query', async (t) => {
    const post = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'other', name: 'X', secretField: 1 })
    t.equal(post.statusCode, 400)
    const put = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/referrers/by-external-id/erp-x', { kind: 'other', name: 'X', externalId: 'other' })
    t.equal(put.statusCode, 400)
    const list = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrers?bogus=1')
    t.equal(list.statusCode, 400)
  })

  await t.test('links a customer and a user, and refuses ones that do not exist', async (t) => {
    const cust = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Linked customer" }) { customer { id } } }')
    const customerId = cust.data.createCustomer.customer.id
    const staff = await ctx.staff('sales')
    const r = await create({ kind: 'customer', name: 'Linked', customerId, userId: staff.userId })
    t.match(r, { customer: { id: customerId }, user: { id: staff.userId } })
    const bad = await ctx.gql(ctx.adminToken, CREATE, { i: { kind: 'customer', name: 'Dangling', customerId: '01900000-0000-7000-8000-000000000000' } })
    t.match(bad.data.createReferrer.userErrors, [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }])
    const badUser = await ctx.gql(ctx.adminToken, UPDATE, { id: r.id, i: { userId: '01900000-0000-7000-8000-000000000000' } })
    t.match(badUser.data.updateReferrer.userErrors, [{ field: 'userId', code: 'UNKNOWN_USER' }])
  })

  await t.test('deletes softly: gone from reads, code still reserved', async (t) => {
    const r = await create({ kind: 'other', name: 'Leaving', code: 'LEAVING-1' })
    const stale = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${r.id}`, undefined, { 'if-match': '"9"' })
    t.equal(stale.statusCode, 412)
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${r.id}`)
    t.equal(del.statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/${r.id}`)).statusCode, 404)
    t.equal((await ctx.gql(ctx.adminToken, BY_CODE, { c: 'leaving-1' })).data.referrerByCode, null)
    const again = await ctx.gql(ctx.adminToken, CREATE, { i: { kind: 'other', name: 'Reuse', code: 'LEAVING-1' } })
    t.match(again.data.createReferrer.userErrors, [{ field: 'code', code: 'TAKEN' }])
  })

  await t.test('records the creation in the audit trail and outbox with the phone masked', async (t) => {
    const r = await create({ kind: 'partner', name: 'Audited', phone: '13700003333' })
    const events = await ctx.sql<{ type: string; data: { referrer: { phone: string } } }>('select type, data from outbox_events where entity_id = $1', [r.id])
    t.match(events, [{ type: 'referrer.created', data: { referrer: { phone: '137****3333' } } }])
    t.notOk(JSON.stringify(events).includes('13700003333'))
    const audit = await ctx.sql<{ action: string }>('select action from audit_entries where entity_id = $1', [r.id])
    t.same(audit.map((a) => a.action), ['referrer.created'])
  })
})
