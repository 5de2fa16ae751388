import t from 'tap'
import { forEachDatabase, type GqlResult } from '../helper.js'

// `consent { granted }` is an object field the one-statement plan does not fold in, so a
// query carrying it is answered by the loaders, field by field: the reference answer.
const FALLBACK = 'consent { granted }'

type Node = Record<string, unknown> & { consent?: unknown }
type Edge = { cursor: string; node: Node }

function withoutConsent(edges: Edge[]): Edge[] {
  return edges.map(({ node: { consent: _c, ...node }, ...edge }) => ({ ...edge, node }))
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const rep = await ctx.staff('sales', { teamId: team })
  const otherRep = await ctx.staff('sales', { teamId: await ctx.createTeam() })
  const marketing = await ctx.staff('marketing')
  const referrer = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Ref Alive' })).json()
  const gone = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Ref Gone' })).json()
  const ids: string[] = []
  for (let i = 0; i < 12; i++) {
    const owner = i % 3 === 0 ? otherRep.userId : rep.userId
    const c = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', {
      name: `Graph ${i}`, tags: ['graph'], ownerId: owner, phone: `1380013${String(i).padStart(4, '0')}`,
      email: `graph${i}@example.com`, birthday: '1990-01-0' + ((i % 9) + 1), referrerId: i % 4 === 0 ? gone.id : referrer.id
    })
    ids.push(c.json().id)
    for (let k = 0; k < i % 4; k++) {
      await ctx.gql(ctx.adminToken, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { userErrors { message } } }',
        { i: { kind: k % 2 ? 'call' : 'note', customerId: c.json().id, subject: `touch ${k}`, occurredAt: `2026-0${k + 1}-15T08:00:00.123Z` } })
    }
  }
  await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/referrers/${gone.id}`)
  // A token's first use checks its API key (one statement): done here, not inside a count.
  for (const token of [rep.token, marketing.token]) await ctx.gql(token, '{ me { role } }')

  const fields = 'id name phone email birthday tags lifecycleStage createdAt owner { id name role } referrer { id name code } activities(first: 2) { id kind subject occurredAt }'
  const page = (extra: string) => `query($after: String) { customers(first: 5, after: $after, filter: { tags: ["graph"] }) {
    edges { cursor node { ${fields} ${extra} } } pageInfo { hasNextPage endCursor } totalCount } }`

  async function walk(token: string, extra: string) {
    const edges: Edge[] = []
    let after: string | null = null
    let statements = 0
    for (;;) {
      const before = ctx.queries
      const r: GqlResult = await ctx.gql(token, page(extra), { after })
      statements = Math.max(statements, ctx.queries - before)
      t.notOk(r.errors, JSON.stringify(r.errors))
      edges.push(...r.data.customers.edges)
      if (!r.data.customers.pageInfo.hasNextPage) return { edges, statements, total: r.data.customers.totalCount }
      after = r.data.customers.pageInfo.endCursor
    }
  }

  await t.test('a page read in one statement answers exactly what the loaders answer, cursors included', async (t) => {
    for (const [who, token] of [['admin', ctx.adminToken], ['marketing (masked)', marketing.token]] as const) {
      const planned = await walk(token, '')
      const reference = await walk(token, FALLBACK)
      t.equal(planned.edges.length, 12, who)
      t.same(planned.edges, withoutConsent(reference.edges), `${who}: same nodes, relations and cursors`)
      t.equal(planned.total, 12)
      t.equal(planned.statements, 2, `${who}: the page and its count, relations included`)
      t.ok(reference.statements > planned.statements, `${who}: the loaders need more (${reference.statements})`)
    }
    const { edges } = await walk(marketing.token, '')
    t.match(edges[0].node.phone, /^138\*{4}\d{4}$/, 'marketing sees phones masked')
    const admin = await walk(ctx.adminToken, '')
    t.match(admin.edges[0].node.phone, /^1380013\d{4}$/, 'admin sees them clear')
    t.ok(admin.edges.some((e) => e.node.referrer === null), 'a deleted referrer is null, as its loader says')
    t.ok(admin.edges.some((e) => (e.node.activities as unknown[]).length === 2), 'activities limited to first')
  })

  await t.test('a sales rep: customers within its reach, relations folded in where its reach over them is unlimited', async (t) => {
    const q = (extra: string) => `{ customers(first: 50, filter: { tags: ["graph"] }) { edges { node { id name owner { id name } referrer { id name } ${extra} } } } }`
    const before = ctx.queries
    const planned = await ctx.gql(rep.token, q(''))
    t.equal(ctx.queries - before, 1, 'one statement')
    const reference = await ctx.gql(rep.token, q(FALLBACK))
    t.equal(planned.data.customers.edges.length, 8, 'only its team\'s customers')
    t.same(planned.data.customers.edges, withoutConsent(reference.data.customers.edges))
    const scoped = await ctx.gql(rep.token, `{ customers(first: 50, filter: { tags: ["graph"] }) { edges { node { id activities(first: 3) { id } } } } }`)
    t.notOk(scoped.errors)
    t.equal(scoped.data.customers.edges.length, 8, 'activities (limited by its reach) still resolve, through the loaders')
  })

  await t.test('customer(id) in one statement: same answer, other owner\'s customer is null', async (t) => {
    const q = (extra: string) => `query($id: ID!) { customer(id: $id) { id name phone email owner { id } referrer { id name } ${extra} } }`
    for (const id of ids.slice(0, 4)) {
      const before = ctx.queries
      const planned = await ctx.gql(ctx.adminToken, q(''), { id })
      t.equal(ctx.queries - before, 1)
      const { consent: _c, ...reference } = (await ctx.gql(ctx.adminToken, q(FALLBACK), { id })).data.customer
      t.same(planned.data.customer, reference)
    }
    t.equal((await ctx.gql(rep.token, q(''), { id: ids[0] })).data.customer, null, 'outside its reach: null, no hint')
    t.equal((await ctx.gql(ctx.adminToken, q(''), { id: 'not-a-uuid' })).data.customer, null)
  })

  await t.test('arguments from variables are read per request, and bad ones fail as they always did', async (t) => {
    const q = `query($n: Int) { customers(first: 3, filter: { tags: ["graph"] }) { edges { node { id activities(first: $n) { id } } } } }`
    const lengths = async (n: number | null) => ((await ctx.gql(ctx.adminToken, q, { n })).data.customers.edges as Edge[]).map((e) => (e.node.activities as unknown[]).length)
    t.same(await lengths(1), (await lengths(1)).map((l) => Math.min(l, 1)))
    t.ok((await lengths(3)).some((l) => l > 1), 'a larger first on the same query text is honoured')
    t.ok((await lengths(0)).every((l) => l === 0))
    const tooMany = await ctx.gql(ctx.adminToken, q, { n: 500 })
    t.equal(tooMany.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('fragments and aliases are read by the plan; directives fall back to the loaders', async (t) => {
    const fragment = `query { customers(first: 4, filter: { tags: ["graph"] }) { edges { node { ...C who: owner { id name } } } } }
      fragment C on Customer { id name owner { id name } }`
    const r = await ctx.gql(ctx.adminToken, fragment)
    t.notOk(r.errors)
    t.ok((r.data.customers.edges as Edge[]).every((e) => (e.node.who as { id: string }).id === (e.node.owner as { id: string }).id))
    const directive = await ctx.gql(ctx.adminToken, `query($with: Boolean!) { customers(first: 4, filter: { tags: ["graph"] }) { edges { node { id owner @include(if: $with) { name } } } } }`, { with: false })
    t.notOk(directive.errors)
    t.notOk('owner' in directive.data.customers.edges[0].node)
  })
// These count the read plan's statements; the access audit's one insert per request is tested in test/modules/audit.
}, { AUDIT_READS: 'false' })
