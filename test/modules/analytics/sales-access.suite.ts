import t, { type Test as Tap } from 'tap'
import { forEachDatabase } from '../../helper.js'
import { buildWorld } from './sales.world.js'

const SALES = 'query($t: ID, $o: ID) { salesPerformance(teamId: $t, ownerId: $o) { reps { userId } teams { teamId reps } } }'
const PIPELINE = 'query($t: ID, $o: ID) { pipeline(teamId: $t, ownerId: $o) { stages { stage count } } }'

await forEachDatabase(t, async (t, ctx) => {
  const world = await buildWorld(ctx)
  const [ning, nadia, nora, song, sun, lone] = world.reps.map((r) => r.userId)
  const sorted = (ids: string[]) => [...ids].sort()
  const repsSeen = async (t: Tap, token: string, args: { t?: string; o?: string } = {}) => {
    const g = await ctx.gql(token, SALES, args)
    if (g.errors) throw new Error(JSON.stringify(g.errors))
    const qs = new URLSearchParams({ ...(args.t ? { teamId: args.t } : {}), ...(args.o ? { ownerId: args.o } : {}) })
    const rest = (await ctx.rest(token, 'GET', `/api/v1/analytics/sales-performance?${qs}`)).json()
    t.same(sorted(rest.reps.map((r: { userId: string }) => r.userId)), sorted(g.data.salesPerformance.reps.map((r: { userId: string }) => r.userId)), 'REST lists the same reps')
    return sorted(g.data.salesPerformance.reps.map((r: { userId: string }) => r.userId))
  }
  // One open deal each, so the pipeline's reach shows in its counts.
  for (const rep of world.reps) {
    const c = await ctx.gql(rep.token, 'mutation { createCustomer(input: { name: "Reach" }) { customer { id } } }')
    await ctx.gql(rep.token, 'mutation($c: ID!) { createOpportunity(input: { customerId: $c, name: "Reach" }) { opportunity { id } } }', { c: c.data.createCustomer.customer.id })
  }
  const openCount = async (token: string, args: { t?: string; o?: string } = {}) => {
    const g = await ctx.gql(token, PIPELINE, args)
    if (g.errors) throw new Error(JSON.stringify(g.errors))
    return g.data.pipeline.stages.find((s: { stage: string }) => s.stage === 'initial_contact').count
  }

  await t.test('admin, marketing, service and integration see every rep and every open deal', async (t) => {
    const marketing = await ctx.staff('marketing')
    for (const token of [ctx.adminToken, marketing.token, await ctx.keyToken('service'), await ctx.keyToken('integration')]) {
      t.same(await repsSeen(t, token), sorted([ning, nadia, nora, song, sun, lone]))
      t.equal(await openCount(token), 6)
    }
  })

  await t.test('a sales rep and a manager see their own team only, whatever they filter by', async (t) => {
    t.same(await repsSeen(t, world.northSales.token), sorted([ning, nadia, nora]))
    t.equal(await openCount(world.northSales.token), 3)
    t.same(await repsSeen(t, world.southManager.token), sorted([song, sun]))
    t.equal(await openCount(world.southManager.token), 2)
    t.same(await repsSeen(t, world.northManager.token, { t: world.south }), [], 'another team filtered for: nothing')
    t.same(await repsSeen(t, world.northManager.token, { o: song }), [], 'another team\'s rep: nothing')
    t.equal(await openCount(world.northManager.token, { o: song }), 0)
    t.same(await repsSeen(t, world.northManager.token, { o: nadia }), [nadia])
    t.equal(await openCount(world.northManager.token, { o: nadia }), 1)
  })

  await t.test('a rep without a team sees only themself', async (t) => {
    t.same(await repsSeen(t, world.loner.token), [lone])
    t.equal(await openCount(world.loner.token), 1)
    const g = await ctx.gql(world.loner.token, SALES, {})
    t.same(g.data.salesPerformance.teams, [{ teamId: null, reps: 1 }], 'the team row of reps without a team')
  })

  await t.test('admin filters by team and by owner', async (t) => {
    t.same(await repsSeen(t, ctx.adminToken, { t: world.north }), sorted([ning, nadia, nora]))
    t.same(await repsSeen(t, ctx.adminToken, { o: sun }), [sun])
    t.equal(await openCount(ctx.adminToken, { t: world.south }), 2)
  })

  await t.test('a referrer token is refused both reports, on both transports and in CSV', async (t) => {
    const ref = await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: partner, name: "Curious partner" }) { referrer { id } } }')
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.data.createReferrer.referrer.id })).json().accessToken
    t.equal((await ctx.gql(token, SALES, {})).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.gql(token, PIPELINE, {})).errors?.[0].extensions?.code, 'FORBIDDEN')
    for (const url of ['/api/v1/analytics/sales-performance', '/api/v1/analytics/pipeline', '/api/v1/analytics/pipeline?format=csv']) {
      t.equal((await ctx.rest(token, 'GET', url)).statusCode, 403, url)
    }
  })

  await t.test('bad filters and periods are 400 / BAD_USER_INPUT naming the field', async (t) => {
    for (const [report, field] of [['sales-performance', 'salesPerformance'], ['pipeline', 'pipeline']] as const) {
      for (const name of ['ownerId', 'teamId']) {
        const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?${name}=nope`)
        t.equal(rest.statusCode, 400)
        t.equal(rest.json().errors?.[0]?.field, name, `${report} REST ${name}`)
        for (const g of [
          await ctx.gql(ctx.adminToken, `query($v: ID) { ${field}(${name}: $v) { period { from } } }`, { v: 'nope' }),
          await ctx.gql(ctx.adminToken, `{ ${field}(${name}: "nope") { period { from } } }`)
        ]) {
          t.equal(g.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
          t.match(g.errors?.[0].message, name, `${report} GraphQL ${name}`)
        }
      }
      const backwards = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?from=2026-10-05&to=2026-10-01`)
      t.equal(backwards.statusCode, 400)
      t.equal(backwards.json().errors?.[0]?.field, 'from')
      const g = await ctx.gql(ctx.adminToken, `{ ${field}(period: { from: "2026-10-05T00:00:00+08:00", to: "2026-10-01T00:00:00+08:00" }) { period { from } } }`)
      t.equal(g.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
      t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${report}?colour=red`)).statusCode, 400, 'unknown parameter')
    }
  })

  await t.test('CSV: a byte order mark, CRLF lines, a header and one row per rep and per team', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/sales-performance?format=csv')
    t.match(res.headers['content-type'], /^text\/csv; charset=utf-8/)
    t.ok(res.body.startsWith('\uFEFFlevel,teamId,teamName,userId,userName,leadsAssigned,'))
    const lines = res.body.split('\r\n').filter(Boolean)
    t.equal(lines.length, 1 + 6 + 3, 'header, six reps, North, South and no team')
    t.match(res.body, /\r\nteam,,,,,/, 'the reps without a team: a team row with no team')
  })
})
