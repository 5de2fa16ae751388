import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createReferrer, parseCsv, referrerToken, shanghai, submitReferral } from './leaderboard-kpis-support.js'

const BOARD = `query($p: ReportPeriodInput, $by: LeaderboardRankBy, $first: Int, $kind: ReferrerKind, $c: String) {
  referrerLeaderboard(period: $p, rankBy: $by, first: $first, referrerKind: $kind, currency: $c) {
    period { from to } rankBy currency rankedCount
    rows { rank referrer { id name code kind tier } conversions referrals revenue { amount currency } rewards { amount currency } rewardPoints }
    me { rank referrer { id name code kind tier } conversions referrals revenue { amount currency } rewards { amount currency } rewardPoints } } }`

const period = { from: '2026-03-01T00:00:00+08:00', to: '2026-04-01T00:00:00+08:00' }
const inPeriod = shanghai('2026-03-10', 3_600_000).toISOString()

void forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const mate = await ctx.staff('sales', { teamId: team })
  const loner = await ctx.staff('sales')
  // referrals in the period: A 3, B 2, C 2, D 1 (B and C tie); E has one just before the period.
  const counts = [3, 2, 2, 1]
  const owners = [manager.userId, mate.userId, loner.userId, null]
  const refs = []
  for (const [i, n] of counts.entries()) {
    const ref = await createReferrer(ctx, { name: ['张三丰', '李四', '王五', '赵六'][i], ownerId: owners[i] })
    refs.push(ref)
    for (let k = 0; k < n; k++) {
      const r = await submitReferral(ctx, ref.id)
      await ctx.sql('update referrals set submitted_at = $2 where id = $1', [r.id, inPeriod])
    }
  }
  const early = await createReferrer(ctx, { name: '钱七' })
  const before = await submitReferral(ctx, early.id)
  await ctx.sql('update referrals set submitted_at = $2 where id = $1', [before.id, shanghai('2026-03-01', -1).toISOString()])
  const [a, b, c, d] = refs
  const [bFirst, cFirst] = b.id < c.id ? [b, c] : [c, b]

  await t.test('ranks with competition ranking, ties sharing a rank in referrer id order (1, 2, 2, 4)', async (t) => {
    const r = await ctx.gql(ctx.adminToken, BOARD, { p: period, by: 'referrals' })
    t.equal(r.errors, undefined)
    const board = r.data.referrerLeaderboard
    t.same(board.rows.map((x: any) => [x.rank, x.referrer.id, x.referrals]), [[1, a.id, 3], [2, bFirst.id, 2], [2, cFirst.id, 2], [4, d.id, 1]])
    t.equal(board.rankedCount, 4, 'the referral submitted a millisecond before the period is not counted')
    t.equal(board.me, null, 'staff have no row of their own')
    const inline = await ctx.gql(ctx.adminToken, `{ referrerLeaderboard(period: { from: "${period.from}", to: "${period.to}" }, rankBy: referrals, first: 3) { rows { rank referrer { id } } } }`)
    t.same(inline.data.referrerLeaderboard.rows.map((x: any) => x.rank), [1, 2, 2], 'first cuts the list, not the ranks')
  })

  await t.test('a referrer token sees masked names, no ids or codes, and its own real rank outside the top', async (t) => {
    const token = await referrerToken(ctx, d.id)
    const r = await ctx.gql(token, BOARD, { p: period, by: 'referrals', first: 2 })
    t.equal(r.errors, undefined)
    const board = r.data.referrerLeaderboard
    t.same(board.rows.map((x: any) => x.referrer), [
      { id: null, name: '张**', code: null, kind: 'partner', tier: 'standard' },
      { id: null, name: `${bFirst === b ? '李' : '王'}**`, code: null, kind: 'partner', tier: 'standard' }
    ])
    t.same(board.me.referrer, { id: d.id, name: '赵六', code: d.code, kind: 'partner', tier: 'standard' })
    t.equal(board.me.rank, 4)
    const rest = await ctx.rest(token, 'GET', `/api/v1/analytics/referrer-leaderboard?from=2026-03-01&to=2026-04-01&rankBy=referrals&first=2`)
    t.equal(rest.statusCode, 200)
    const json = rest.json()
    t.same(json.rows, board.rows, 'REST answers what GraphQL does')
    t.same(json.me, board.me)
    const csv = await ctx.rest(token, 'GET', `/api/v1/analytics/referrer-leaderboard?from=2026-03-01&to=2026-04-01&rankBy=referrals&first=2&format=csv`)
    const text = csv.body
    for (const other of [a, b, c]) {
      t.notOk(text.includes(other.id) || text.includes(other.code), 'no other referrer id or code in the CSV')
      t.notOk(JSON.stringify(json).includes(other.id) || JSON.stringify(json).includes(other.code), 'nor in the JSON')
    }
    const parsed = parseCsv(text)
    t.same(parsed.map((x) => [x.row, x.rank, x.name, x.referrerId]), [['top', '1', '张**', ''], ['top', '2', board.rows[1].referrer.name, ''], ['me', '4', '赵六', d.id]])
    const idle = await createReferrer(ctx, { name: '孙八' })
    const idleBoard = (await ctx.gql(await referrerToken(ctx, idle.id), BOARD, { p: period, by: 'referrals' })).data.referrerLeaderboard
    t.same([idleBoard.me.rank, idleBoard.me.referrals], [5, 0], 'a referrer with nothing in the period ranks after everyone above zero')
    const kpis = await ctx.rest(token, 'GET', '/api/v1/analytics/kpis')
    t.equal(kpis.statusCode, 403, 'a referrer token reads no other report')
  })

  await t.test('each role ranks what its reach covers: team reach by the referrer\'s relationship owner', async (t) => {
    const ids = async (token: string) => (await ctx.gql(token, BOARD, { p: period, by: 'referrals' })).data.referrerLeaderboard.rows.map((x: any) => [x.rank, x.referrer.id])
    t.same(await ids(manager.token), [[1, a.id], [2, b.id]], 'manager: referrers owned in the team, ranked among themselves')
    t.same(await ids(mate.token), [[1, a.id], [2, b.id]], 'sales in a team: the team\'s')
    t.same(await ids(loner.token), [[1, c.id]], 'sales without a team: their own')
    const everything = { marketing: (await ctx.staff('marketing')).token, service: (await ctx.staff('service')).token, integration: await ctx.keyToken('integration'), admin: ctx.adminToken }
    for (const [role, token] of Object.entries(everything)) t.equal((await ids(token)).length, 4, `${role}: everything`)
  })

  await t.test('refuses bad arguments naming the field', async (t) => {
    for (const [args, field] of [['first: 0', 'first'], ['first: 201', 'first'], ['currency: "cny"', 'currency'], ['campaignId: "nope"', 'campaignId']] as const) {
      const r = await ctx.gql(ctx.adminToken, `{ referrerLeaderboard(${args}) { rankedCount } }`)
      t.equal(r.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', args)
      t.match(JSON.stringify(r.errors?.[0]?.extensions), field)
    }
    const v = await ctx.gql(ctx.adminToken, 'query($f: Int) { referrerLeaderboard(first: $f) { rankedCount } }', { f: 500 })
    t.equal(v.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    for (const q of ['first=0', 'first=500', 'currency=cny', 'rankBy=fame', 'referrerKind=robot', 'campaignId=nope', 'from=2026-04-01&to=2026-03-01']) {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/referrer-leaderboard?${q}`)
      t.equal(res.statusCode, 400, q)
      t.match(res.body, q.split('=')[0] === 'from' ? 'from' : q.split('=')[0], `${q} names the field`)
    }
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
