import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const LEAD = 'id source name phone email company status owner { id } version'
const CREATE = `mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { ${LEAD} } userErrors { field message code } } }`
type Edge = { node: { id: string; name: string } }
const ids = (edges: Edge[]) => edges.map((e) => e.node.id)

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Leads team')
  const rep = await ctx.staff('sales', { teamId: team, name: 'Rep' })

  await t.test('creates a lead over GraphQL with a normalised phone, readable over REST', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'website', name: '李四', phone: '+86 138-0000-2222', email: ' Li.Si@Example.com ', company: '四通' } })
    t.same(r.data.createLead.userErrors, [])
    const lead = r.data.createLead.lead
    t.match(lead, { source: 'website', phone: '13800002222', email: 'li.si@example.com', status: 'new', version: 1 })
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads/${lead.id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.headers.etag, '"1"')
    t.match(rest.json(), { name: '李四', company: '四通', status: 'new', phone: '13800002222' })
    t.notOk('phoneEnc' in rest.json(), 'storage columns stay inside')
  })

  await t.test('creates a lead over REST that GraphQL reads, owned by the caller with an assignment time', async (t) => {
    const created = await ctx.rest(rep.token, 'POST', '/api/v1/leads', { source: 'event', name: 'REST lead', tags: ['expo'] })
    t.equal(created.statusCode, 201)
    t.equal(created.headers.location, `/api/v1/leads/${created.json().id}`)
    t.equal(created.json().ownerId, rep.userId)
    t.ok(created.json().assignedAt)
    const r = await ctx.gql(rep.token, 'query($id: ID!) { lead(id: $id) { name tags owner { id } history { kind toOwner { id } toStatus } } }', { id: created.json().id })
    t.same(r.data.lead, {
      name: 'REST lead', tags: ['expo'], owner: { id: rep.userId },
      history: [{ kind: 'created', toOwner: { id: rep.userId }, toStatus: 'new' }, { kind: 'assigned', toOwner: { id: rep.userId }, toStatus: null }]
    })
  })

  await t.test('refuses an invalid phone as a userError and writes nothing', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'website', name: 'Bad phone lead', phone: '12345' } })
    t.equal(r.data.createLead.lead, null)
    t.match(r.data.createLead.userErrors, [{ field: 'phone', code: 'INVALID_PHONE' }])
    const after = await ctx.gql(ctx.adminToken, '{ leads(filter: { search: "Bad phone lead" }) { totalCount } }')
    t.equal(after.data.leads.totalCount, 0)
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'website', name: 'Bad phone lead', phone: '12345' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: 'phone', code: 'INVALID_PHONE' }])
  })

  await t.test('refuses links to records that do not exist as UNKNOWN_REFERENCE on the field', async (t) => {
    const nobody = '01900000-0000-7000-8000-000000000000'
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'x', name: 'Dangling', customerId: nobody, campaignId: nobody } })
    t.equal(r.data.createLead.lead, null)
    t.match(r.data.createLead.userErrors.map((e: { field: string }) => e.field).sort(), ['campaignId', 'customerId'])
    t.ok(r.data.createLead.userErrors.every((e: { code: string }) => e.code === 'UNKNOWN_REFERENCE'))
  })

  await t.test('links a lead to an existing customer and loads it', async (t) => {
    const c = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Known customer" }) { customer { id } } }')
    const customerId = c.data.createCustomer.customer.id
    const r = await ctx.gql(ctx.adminToken, `mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { customer { id name } } userErrors { code } } }`,
      { i: { source: 'upsell', name: 'Upsell', customerId } })
    t.same(r.data.createLead.lead.customer, { id: customerId, name: 'Known customer' })
  })

  await t.test('links a lead to its referrer, filters by it and loads it', async (t) => {
    const r = await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: partner, name: "渠道伙伴" }) { referrer { id } userErrors { code } } }')
    const referrerId = r.data.createReferrer.referrer.id
    const created = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'referral', name: 'Referred lead', referrerId } })
    const id = created.data.createLead.lead.id
    const list = await ctx.gql(ctx.adminToken, 'query($r: ID!) { leads(filter: { referrerId: $r }) { edges { node { id name referrer { id name } } } } }', { r: referrerId })
    t.same(list.data.leads.edges, [{ node: { id, name: 'Referred lead', referrer: { id: referrerId, name: '渠道伙伴' } } }])
  })

  await t.test('links a lead to its campaign and loads it', async (t) => {
    const c = await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "春季推荐" }) { campaign { id } userErrors { field code message } } }')
    t.same(c.data.createCampaign.userErrors, [])
    const campaignId = c.data.createCampaign.campaign.id
    const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { campaign { id name } } userErrors { code } } }',
      { i: { source: 'campaign', name: 'Campaign lead', campaignId } })
    t.same(r.data.createLead.lead.campaign, { id: campaignId, name: '春季推荐' })
  })

  await t.test('filters by status, owner, unassigned and phone search', async (t) => {
    const pool = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'import', name: 'Pool lead', ownerId: null, phone: '13911112222' } })
    const poolId = pool.data.createLead.lead.id
    t.equal(pool.data.createLead.lead.owner, null)
    const owned = await ctx.gql(ctx.adminToken, CREATE, { i: { source: 'import', name: 'Owned lead', ownerId: rep.userId } })
    const ownedId = owned.data.createLead.lead.id
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: contacted) { userErrors { code } } }', { id: ownedId })

    const unassigned = await ctx.gql(ctx.adminToken, '{ leads(first: 200, filter: { unassigned: true, source: "import" }) { edges { node { id name } } } }')
    t.same(ids(unassigned.data.leads.edges), [poolId])
    const byOwner = await ctx.gql(ctx.adminToken, 'query($o: ID!) { leads(first: 200, filter: { ownerId: $o, status: [contacted] }) { edges { node { id name } } } }', { o: rep.userId })
    t.same(ids(byOwner.data.leads.edges), [ownedId])
    const byPhone = await ctx.gql(ctx.adminToken, '{ leads(filter: { search: "+86 139 1111 2222" }) { edges { node { id name } } } }')
    t.same(ids(byPhone.data.leads.edges), [poolId])
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads?status=contacted&ownerId=${rep.userId}`)
    t.same(rest.json().data.map((l: { id: string }) => l.id), [ownedId])
    const restPool = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/leads?unassigned=true&source=import')
    t.same(restPool.json().data.map((l: { id: string }) => l.id), [poolId])
  })

  await t.test('pages with keyset cursors without skipping or repeating a lead', async (t) => {
    for (const n of ['P1', 'P2', 'P3', 'P4', 'P5']) await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'paging', name: n })
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const r: { data: { leads: { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } = await ctx.gql(ctx.adminToken,
        'query($a: String) { leads(first: 2, after: $a, filter: { source: "paging" }, orderBy: { field: name, direction: ASC }) { edges { node { id name } } pageInfo { hasNextPage endCursor } } }', { a: after })
      seen.push(...r.data.leads.edges.map((e) => e.node.name))
      if (!r.data.leads.pageInfo.hasNextPage) break
      after = r.data.leads.pageInfo.endCursor
    }
    t.same(seen, ['P1', 'P2', 'P3', 'P4', 'P5'])
    const first = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/leads?source=paging&limit=3&orderBy=name&direction=asc')
    const next = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads?source=paging&limit=3&orderBy=name&direction=asc&cursor=${first.json().nextCursor}`)
    t.same([...first.json().data, ...next.json().data].map((l: { name: string }) => l.name), ['P1', 'P2', 'P3', 'P4', 'P5'])
    t.equal(next.json().nextCursor, null)
  })

  await t.test('updates fields, refusing a stale version with STALE_VERSION / 412 and changing nothing', async (t) => {
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'website', name: 'Versioned' })
    const id = created.json().id
    const ok = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/leads/${id}`, { company: 'A' }, { 'if-match': '"1"' })
    t.equal(ok.statusCode, 200)
    t.equal(ok.headers.etag, '"2"')
    const stale = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/leads/${id}`, { company: 'B' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    t.equal(stale.json().code, 'CRM_ERR_STALE_VERSION')
    const gql = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateLead(id: $id, input: { company: "C", expectedVersion: 1 }) { lead { id } userErrors { field code } } }', { id })
    t.same(gql.data.updateLead, { lead: null, userErrors: [{ field: 'expectedVersion', code: 'STALE_VERSION' }] })
    const staleStatus = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/leads/${id}/status`, { status: 'contacted' }, { 'if-match': '"1"' })
    t.equal(staleStatus.statusCode, 412)
    const now = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads/${id}`)
    t.match(now.json(), { company: 'A', status: 'new', version: 2 })
  })

  await t.test('refuses status and owner in an update: they have their own actions', async (t) => {
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'website', name: 'No sneaking' })
    const rest = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/leads/${created.json().id}`, { status: 'qualified' })
    t.equal(rest.statusCode, 400)
  })

  await t.test('upserts by externalId: creates once, then updates the same lead', async (t) => {
    const first = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/leads/by-external-id/crm-42', { source: 'erp', name: 'ERP lead' })
    t.equal(first.statusCode, 201)
    const again = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/leads/by-external-id/crm-42', { source: 'erp', name: 'ERP lead', company: 'Renamed' })
    t.equal(again.statusCode, 200)
    t.equal(again.json().id, first.json().id)
    t.equal(again.json().company, 'Renamed')
    const gql = await ctx.gql(ctx.adminToken, 'mutation { upsertLead(externalId: "crm-42", input: { source: "erp", name: "ERP lead" }) { created lead { id externalId } userErrors { code } } }')
    t.same(gql.data.upsertLead, { created: false, lead: { id: first.json().id, externalId: 'crm-42' }, userErrors: [] })
  })

  await t.test('soft-deletes a lead: 204, then 404 and gone from lists', async (t) => {
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'website', name: 'Short lived' })
    const id = created.json().id
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/leads/${id}`)
    t.equal(del.statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads/${id}`)).statusCode, 404)
    const r = await ctx.gql(ctx.adminToken, '{ leads(filter: { search: "Short lived" }) { totalCount } }')
    t.equal(r.data.leads.totalCount, 0)
  })

  await t.test('loads owners and histories of a whole page in a constant number of queries', async (t) => {
    const q = '{ leads(first: 200) { edges { node { id owner { id } history { kind toOwner { id } } } } } }'
    ctx.queries = 0
    const few = await ctx.gql(ctx.adminToken, q)
    const fewQueries = ctx.queries
    for (let i = 0; i < 5; i++) await ctx.rest(rep.token, 'POST', '/api/v1/leads', { source: 'bulk', name: `Bulk ${i}` })
    ctx.queries = 0
    const more = await ctx.gql(ctx.adminToken, q)
    t.ok(more.data.leads.edges.length > few.data.leads.edges.length)
    t.equal(ctx.queries, fewQueries)
  })
})
