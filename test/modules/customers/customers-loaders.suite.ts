import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const NESTED = `query($n: Int!) {
  customers(first: $n, filter: { tags: ["nested"] }) {
    edges { node { id name owner { id name team { name } } referrer { id name owner { name } } activities(first: 5) { id kind author { name } } } }
  }
}`

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const reps = await Promise.all([0, 1, 2].map(() => ctx.staff('sales', { teamId: team })))
  const referrers: string[] = []
  for (let i = 0; i < 5; i++) {
    const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { message } } }',
      { i: { kind: 'customer', name: `Referrer ${i}`, ownerId: reps[i % 3].userId } })
    referrers.push(r.data.createReferrer.referrer.id)
  }
  const customers: string[] = []
  const authors: string[] = []
  for (let i = 0; i < 50; i++) {
    const c = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: `Nested ${i}`, tags: ['nested'], ownerId: reps[i % 3].userId, referrerId: referrers[i % 5] })
    customers.push(c.json().id)
    authors.push(reps[i % 3].userId)
  }
  // Seven activities each by the owner, in one statement: what is measured is reading them (logActivity is tested in its own suite).
  const logged = await ctx.sql(`insert into activities (id, kind, subject, author_id, customer_id)
    select gen_random_uuid(), (case when k % 2 = 1 then 'call' else 'wechat' end)::activity_kind, 'touch ' || k, c.author, c.id
    from unnest($1::uuid[], $2::uuid[]) as c(id, author), generate_series(0, 6) as k returning id`, [customers, authors])
  t.equal(logged.length, 350)
  // A token's first request also loads its key: use each rep's once, so the counts below are the page's alone.
  for (const rep of reps) await ctx.gql(rep.token, '{ customers(first: 1) { totalCount } }')

  async function cost(n: number, token: string) {
    const before = ctx.queries
    const r = await ctx.gql(token, NESTED, { n })
    return { queries: ctx.queries - before, edges: r.data.customers.edges as { node: { owner: unknown; referrer: unknown; activities: unknown[] } }[] }
  }

  await t.test('a page of 50 customers with owner, referrer and 5 activities each costs the same SQL as a page of 2', async (t) => {
    const small = await cost(2, ctx.adminToken)
    const full = await cost(50, ctx.adminToken)
    t.equal(full.edges.length, 50)
    t.ok(full.edges.every((e) => e.node.owner && e.node.referrer && e.node.activities.length === 5), 'every relation resolved')
    t.equal(full.queries, small.queries, `constant: ${full.queries} statements`)
    t.ok(full.queries <= 8, `a handful of statements (${full.queries})`)
  })

  await t.test('the same holds for a sales rep, whose reach filters each batch', async (t) => {
    const small = await cost(2, reps[0].token)
    const full = await cost(50, reps[0].token)
    t.equal(full.edges.length, 50, 'the whole team\'s customers')
    t.equal(full.queries, small.queries)
  })
// These count the read plan's statements; the access audit's one insert per request is tested in test/modules/audit.
}, { AUDIT_READS: 'false' })
