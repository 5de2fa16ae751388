import t from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'

const CREATE = `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }`
const CANDIDATES = `query($e: DuplicateEntity, $r: [DuplicateReason!], $first: Int, $after: String) {
  duplicateCandidates(entity: $e, reasons: $r, first: $first, after: $after) {
    edges { cursor node { id entity ids reasons score customers { id name } referrers { id } } }
    pageInfo { hasNextPage endCursor } totalCount } }`

type Node = { id: string; ids: string[]; reasons: string[]; score: number; customers: { id: string; name: string }[] }
const pairKey = (ids: string[]) => [...ids].sort().join(':')

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const north = await ctx.createTeam('North')
  const rep = await ctx.staff('sales', { teamId: north })
  const make = async (token: string, i: Record<string, unknown>) => {
    const r = await ctx.gql(token, CREATE, { i: { allowDuplicate: true, ...i } })
    return r.data.createCustomer.customer.id as string
  }
  const a = await make(admin, { name: 'Alpha One', phone: '+86 138-1234-5678' })
  const b = await make(admin, { name: 'Beta Two', phone: '13812345678' })
  const c = await make(admin, { name: 'Gamma', email: 'same@example.com' })
  const d = await make(admin, { name: 'Delta', email: 'SAME@example.com' })
  const e1 = await make(admin, { name: 'Wang Wei', company: 'Acme Trading' })
  const e2 = await make(admin, { name: 'wang wei', company: 'Acme Trading Co' })
  await make(admin, { name: 'Nobody Alike', company: 'Unrelated Ltd' })
  const all = async (token: string, variables: Record<string, unknown> = {}) => {
    const r = await ctx.gql(token, CANDIDATES, { first: 50, ...variables })
    t.notOk(r.errors, JSON.stringify(r.errors))
    return (r.data.duplicateCandidates.edges as { node: Node }[]).map((x) => x.node)
  }

  await t.test('lists same phone, same email and similar name + company, best first', async (t) => {
    const nodes = await all(admin)
    const byPair = new Map(nodes.map((n) => [pairKey(n.ids), n]))
    t.same(byPair.get(pairKey([a, b]))?.reasons, ['PHONE'])
    t.equal(byPair.get(pairKey([a, b]))?.score, 1)
    t.same(byPair.get(pairKey([c, d]))?.reasons, ['EMAIL'])
    t.equal(byPair.get(pairKey([c, d]))?.score, 0.95)
    const names = byPair.get(pairKey([e1, e2]))
    t.same(names?.reasons, ['NAME_COMPANY'])
    t.ok(names && names.score > 0.5 && names.score < 0.9, `score ${names?.score}`)
    t.same(names?.customers.map((x) => x.id).sort(), [e1, e2].sort(), 'the two customers, through one batched read')
    t.equal(nodes.length, 3, 'nothing else looks alike')
    t.equal((await ctx.gql(admin, CANDIDATES, { first: 1 })).data.duplicateCandidates.totalCount, 3)
    const scores = nodes.map((n) => n.score)
    t.same(scores, [...scores].sort((x, y) => y - x))
  })

  await t.test('inline arguments and a reasons filter', async (t) => {
    const r = await ctx.gql(admin, '{ duplicateCandidates(entity: CUSTOMER, reasons: [EMAIL], first: 10) { edges { node { ids reasons } } } }')
    t.notOk(r.errors, JSON.stringify(r.errors))
    t.same(r.data.duplicateCandidates.edges.map((x: { node: Node }) => pairKey(x.node.ids)), [pairKey([c, d])])
  })

  await t.test('pages have no gaps or repeats', async (t) => {
    const seen: string[] = []
    let after: string | null = null
    for (let i = 0; i < 10; i++) {
      const r: GqlResult = await ctx.gql(admin, CANDIDATES, { first: 1, after })
      const page: { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = r.data.duplicateCandidates
      seen.push(...page.edges.map((x) => x.node.id))
      if (!page.pageInfo.hasNextPage) break
      after = page.pageInfo.endCursor
    }
    t.same(seen, (await all(admin)).map((n) => n.id))
    const bad = await ctx.gql(admin, CANDIDATES, { after: 'not-a-cursor' })
    t.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
  })

  await t.test('REST GET /customers/duplicates answers the same pairs', async (t) => {
    const r = await ctx.rest(admin, 'GET', '/api/v1/customers/duplicates?limit=2')
    t.equal(r.statusCode, 200)
    const body = r.json()
    t.equal(body.data.length, 2)
    t.ok(body.nextCursor)
    const rest = await ctx.rest(admin, 'GET', `/api/v1/customers/duplicates?limit=2&cursor=${body.nextCursor}`)
    t.same([...body.data, ...rest.json().data].map((x: Node) => x.id), (await all(admin)).map((n) => n.id))
    const filtered = await ctx.rest(admin, 'GET', '/api/v1/customers/duplicates?reason=PHONE')
    t.same(filtered.json().data.map((x: Node) => x.reasons), [['PHONE']])
  })

  await t.test('a sales rep sees only pairs of customers within their reach', async (t) => {
    const mine1 = await make(rep.token, { name: 'Rep one', phone: '13900000001' })
    const mine2 = await make(rep.token, { name: 'Rep two', phone: '13900000001' })
    await make(admin, { name: 'Not the rep\'s', phone: '13900000001' })
    const nodes = await all(rep.token)
    t.same(nodes.map((n) => pairKey(n.ids)), [pairKey([mine1, mine2])])
    const r = await ctx.rest(rep.token, 'GET', '/api/v1/customers/duplicates')
    t.same(r.json().data.map((x: Node) => pairKey(x.ids)), [pairKey([mine1, mine2])])
  })

  await t.test('a merged pair leaves the list', async (t) => {
    const m = await ctx.gql(admin, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code } } }', { s: a, m: [b] })
    t.same(m.data.mergeCustomers.userErrors, [])
    const nodes = await all(admin)
    t.notOk(nodes.some((n) => n.ids.includes(b)), 'the merged customer is in no pair')
    const rest = await ctx.rest(admin, 'POST', `/api/v1/customers/${c}/merge`, { mergedIds: [d] })
    t.equal(rest.statusCode, 200)
    t.notOk((await all(admin)).some((n) => n.ids.includes(d)))
  })

  await t.test('referrers: entity REFERRER pairs live referrers', async (t) => {
    const r1 = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'P1', phone: '13700000001' })).json().id
    const r2 = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'P2', phone: '13700000001', allowDuplicate: true })).json().id
    const r = await ctx.gql(admin, CANDIDATES, { e: 'REFERRER', r: ['PHONE'] })
    const nodes = r.data.duplicateCandidates.edges.map((x: { node: Node & { referrers: { id: string }[]; entity: string } }) => x.node)
    t.same(nodes.map((n: Node) => pairKey(n.ids)), [pairKey([r1, r2])])
    t.same(nodes[0].referrers.map((x: { id: string }) => x.id).sort(), [r1, r2].sort())
    t.same(nodes[0].customers, [])
    const rest = await ctx.rest(admin, 'GET', '/api/v1/referrers/duplicates')
    t.same(rest.json().data.map((x: Node) => pairKey(x.ids)), [pairKey([r1, r2])])
  })
})
