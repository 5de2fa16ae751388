import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const LOG = `mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { field code } } }`
const TIMELINE = `query($f: CustomerFilter, $n: Int) { customers(first: $n, filter: $f, orderBy: { field: name, direction: ASC }) {
  edges { node { id name activities(first: 5) { id occurredAt author { id } customer { id } } } } } }`

async function customer(ctx: TestApp, token: string, name: string, tags: string[] = []): Promise<string> {
  const r = await ctx.gql(token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name, tags } })
  return r.data.createCustomer.customer.id
}

async function timelineQueries(ctx: TestApp, token: string, n: number) {
  const before = ctx.queries
  const r = await ctx.gql(token, TIMELINE, { f: { tags: ['timeline'] }, n })
  return { queries: ctx.queries - before, customers: r.data.customers.edges.map((e: { node: unknown }) => e.node) }
}

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const repA = await ctx.staff('sales', { teamId: teamA })
  const mateA = await ctx.staff('sales', { teamId: teamA })
  const repB = await ctx.staff('sales', { teamId: teamB })

  await t.test('Customer.activities(first: 5) costs the same number of SQL queries for 2 customers as for 30', async (t) => {
    const base = Date.now() - 3_600_000
    for (let c = 0; c < 30; c++) {
      const id = await customer(ctx, repA.token, `时间线 ${String(c).padStart(2, '0')}`, ['timeline'])
      for (let a = 0; a < 6; a++) {
        await ctx.gql(repA.token, LOG, { i: { kind: 'call', customerId: id, occurredAt: new Date(base + a * 60_000).toISOString() } })
      }
    }
    const two = await timelineQueries(ctx, repA.token, 2)
    const thirty = await timelineQueries(ctx, repA.token, 30)
    t.equal(thirty.customers.length, 30)
    t.equal(thirty.queries, two.queries, `${two.queries} queries either way`)
    for (const c of thirty.customers) {
      t.equal(c.activities.length, 5)
      const times = c.activities.map((a: { occurredAt: string }) => a.occurredAt)
      t.same(times, [...times].sort().reverse(), 'newest first')
      t.ok(c.activities.every((a: { customer: { id: string }; author: { id: string } }) => a.customer.id === c.id && a.author.id === repA.userId))
    }
    const admin = await timelineQueries(ctx, ctx.adminToken, 30)
    t.equal(admin.customers.length, 30)
  })

  await t.test("a sales rep cannot see another team's activities; a team mate can", async (t) => {
    const customerId = await customer(ctx, repA.token, '团队A客户')
    const logged = await ctx.gql(repA.token, LOG, { i: { kind: 'meeting', customerId, subject: '报价' } })
    const id = logged.data.logActivity.activity.id

    const mate = await ctx.gql(mateA.token, 'query($id: ID!, $c: ID) { activity(id: $id) { id } activities(filter: { customerId: $c }) { totalCount } }', { id, c: customerId })
    t.equal(mate.data.activity.id, id)
    t.equal(mate.data.activities.totalCount, 1)

    const other = await ctx.gql(repB.token, 'query($id: ID!) { activity(id: $id) { id } activities(first: 200) { edges { node { id } } } }', { id })
    t.equal(other.data.activity, null)
    t.notOk(other.data.activities.edges.some((e: { node: { id: string } }) => e.node.id === id))
    t.equal((await ctx.rest(repB.token, 'GET', `/api/v1/activities/${id}`)).statusCode, 404)

    const intrude = await ctx.gql(repB.token, LOG, { i: { kind: 'call', customerId } })
    t.match(intrude.data.logActivity.userErrors, [{ field: 'customerId', code: 'UNKNOWN_REFERENCE' }])
  })

  await t.test('a rep still sees what they wrote after the customer moved to another team', async (t) => {
    const customerId = await customer(ctx, repA.token, '转走的客户')
    const logged = await ctx.gql(repA.token, LOG, { i: { kind: 'call', customerId } })
    const id = logged.data.logActivity.activity.id
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { userErrors { message } } }', { id: customerId, i: { ownerId: repB.userId } })
    t.equal((await ctx.gql(repA.token, 'query($id: ID!) { activity(id: $id) { id } }', { id })).data.activity.id, id)
    t.equal((await ctx.gql(mateA.token, 'query($id: ID!) { activity(id: $id) { id } }', { id })).data.activity, null)
    t.equal((await ctx.gql(repB.token, 'query($id: ID!) { activity(id: $id) { id } }', { id })).data.activity.id, id)
  })

  await t.test('marketing reads every activity; a read-only key cannot log one', async (t) => {
    const marketing = await ctx.staff('marketing', { readOnly: true })
    const r = await ctx.gql(marketing.token, '{ activities { totalCount } }')
    t.ok(r.data.activities.totalCount >= 180, 'marketing reads all')
    const w = await ctx.gql(marketing.token, LOG, { i: { kind: 'call', customerId: '0190a0a0-0000-7000-8000-000000000000' } })
    t.equal(w.errors?.[0].extensions?.code, 'FORBIDDEN')
  })
})
