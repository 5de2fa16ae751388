import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createSurvey, publicAnswer, RESPONSE, RESPONSES, sentInvitation } from './support.js'

type Node = { id: string; score: number; kind: string; customerId: string; category: string; survey: { id: string }; customer: { id: string } | null; agent: { id: string } | null }
const ids = (r: { data: Record<string, any> }) => (r.data.surveyResponses.edges as { node: Node }[]).map((e) => e.node.id).sort()

await forEachDatabase(t, async (t, ctx) => {
  const east = await ctx.createTeam('East')
  const west = await ctx.createTeam('West')
  const rep = await ctx.staff('sales', { teamId: east })
  const mate = await ctx.staff('sales', { teamId: east })
  const westRep = await ctx.staff('sales', { teamId: west })
  const manager = await ctx.staff('manager', { teamId: west })
  const marketing = await ctx.staff('marketing')
  const service = await ctx.staff('service')
  const integration = await ctx.keyToken('integration')
  const nps = await createSurvey(ctx, { kind: 'nps', cooldownDays: 0 })
  const csat = await createSurvey(ctx, { kind: 'csat', cooldownDays: 0 })

  // East: one customer of rep's, one of mate's; West: one of westRep's.
  const mine = await createCustomer(ctx, { ownerId: rep.userId })
  const mates = await createCustomer(ctx, { ownerId: mate.userId })
  const wests = await createCustomer(ctx, { ownerId: westRep.userId })
  const answer = async (surveyId: string, customerId: string, score: number) => {
    const { token } = await sentInvitation(ctx, surveyId, customerId)
    const res = await publicAnswer(ctx, token, { score })
    if (res.statusCode !== 201) throw new Error(res.body)
  }
  // Each order triggers both surveys; answer the one asked for, leave the other unanswered.
  await answer(nps.id, mine.id, 2)
  await answer(csat.id, mine.id, 5)
  await answer(nps.id, mates.id, 10)
  await answer(nps.id, wests.id, 7)
  await answer(csat.id, wests.id, 1)
  const all = await ctx.sql<{ id: string; customer_id: string; kind: string; score: number }>('select id, customer_id, kind, score from survey_responses')
  const of = (...customers: string[]) => all.filter((r) => customers.includes(r.customer_id)).map((r) => r.id).sort()

  await t.test('every role reads the answers in its reach: sales their team’s customers, the others all; a referrer token none', async (t) => {
    t.equal(all.length, 5)
    for (const [who, token] of [['admin', ctx.adminToken], ['manager', manager.token], ['marketing', marketing.token], ['service', service.token], ['integration', integration]] as const) {
      const r = await ctx.gql(token, RESPONSES, { first: 50 })
      t.same(ids(r), of(mine.id, mates.id, wests.id), who)
      t.equal(r.data.surveyResponses.totalCount, 5, who)
    }
    t.same(ids(await ctx.gql(rep.token, RESPONSES, { first: 50 })), of(mine.id, mates.id), 'sales: the team’s customers')
    t.same(ids(await ctx.gql(westRep.token, RESPONSES, { first: 50 })), of(wests.id))
    const hidden = all.find((r) => r.customer_id === wests.id)!.id
    t.equal((await ctx.gql(rep.token, `query($id: ID!) { surveyResponse(id: $id) { ${RESPONSE} } }`, { id: hidden })).data.surveyResponse, null)
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/survey-responses/${hidden}`)).statusCode, 404)
    t.equal((await ctx.rest(westRep.token, 'GET', `/api/v1/survey-responses/${hidden}`)).statusCode, 200)
    const referrer = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'R' })
    const rt = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.json().id })).json().accessToken
    t.match((await ctx.gql(rt, RESPONSES, {})).errors, [{ extensions: { code: 'FORBIDDEN' } }])
    t.equal((await ctx.rest(rt, 'GET', '/api/v1/survey-responses')).statusCode, 403)
  })

  await t.test('filters: kind, survey, customer, agent, detractor, promoter, answered period; inline and as variables', async (t) => {
    const by = async (f: Record<string, unknown>) => ids(await ctx.gql(ctx.adminToken, RESPONSES, { f, first: 50 }))
    const where = (p: (r: typeof all[number]) => boolean) => all.filter(p).map((r) => r.id).sort()
    t.same(await by({ kind: 'csat' }), where((r) => r.kind === 'csat'))
    t.same(await by({ surveyId: nps.id }), where((r) => r.kind === 'nps'))
    t.same(await by({ customerId: mine.id }), of(mine.id))
    t.same(await by({ agentId: westRep.userId }), of(wests.id), 'the agent of an order survey is the customer’s owner')
    t.same(await by({ detractor: true }), where((r) => (r.kind === 'nps' && r.score <= 6) || (r.kind === 'csat' && r.score <= 2)))
    t.same(await by({ detractor: false }), where((r) => !((r.kind === 'nps' && r.score <= 6) || (r.kind === 'csat' && r.score <= 2))))
    t.same(await by({ promoter: true }), where((r) => r.kind === 'nps' && r.score >= 9))
    t.same(await by({ answeredFrom: new Date(Date.now() + 60_000).toISOString() }), [])
    t.same(await by({ answeredTo: new Date(Date.now() + 60_000).toISOString() }), where(() => true))
    const inline = await ctx.gql(ctx.adminToken, `{ surveyResponses(filter: { kind: nps, promoter: true }) { edges { node { score category trigger customer { id } agent { id } survey { id } } } } }`)
    t.same(inline.data.surveyResponses.edges, [{ node: { score: 10, category: 'promoter', trigger: 'order_paid', customer: { id: mates.id }, agent: { id: mate.userId }, survey: { id: nps.id } } }])
    const rest = await ctx.rest(rep.token, 'GET', `/api/v1/survey-responses?detractor=true&limit=10`)
    t.same(rest.json().data.map((r: { id: string }) => r.id), of(mine.id).filter((id) => all.find((r) => r.id === id)!.score === 2))
    t.match(rest.json().data[0], { kind: 'nps', score: 2, category: 'detractor', trigger: 'order_paid', customerId: mine.id, agentId: rep.userId })
  })

  await t.test('pages walk every answer once, newest first; a bad filter or cursor is a typed error', async (t) => {
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const page: { data: { surveyResponses: { edges: { node: Node }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } = await ctx.gql(ctx.adminToken, RESPONSES, { first: 2, after })
      seen.push(...page.data.surveyResponses.edges.map((e) => e.node.id))
      if (!page.data.surveyResponses.pageInfo.hasNextPage) break
      after = page.data.surveyResponses.pageInfo.endCursor
    }
    t.same([...seen].sort(), of(mine.id, mates.id, wests.id))
    t.equal(new Set(seen).size, seen.length)
    const restPages: string[] = []
    let cursor: string | null = null
    do {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/survey-responses?limit=2&direction=asc${cursor ? `&cursor=${cursor}` : ''}`)
      restPages.push(...res.json().data.map((r: { id: string }) => r.id))
      cursor = res.json().nextCursor
    } while (cursor)
    t.same([...restPages].sort(), of(mine.id, mates.id, wests.id))
    t.match((await ctx.gql(ctx.adminToken, RESPONSES, { f: { customerId: 'nope' } })).errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
    t.match((await ctx.gql(ctx.adminToken, RESPONSES, { after: 'garbage' })).errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/survey-responses?answeredFrom=yesterday')).statusCode, 400)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/survey-responses?kind=stars')).statusCode, 400)
  })

  await t.test('Customer.satisfaction: the latest NPS and CSAT of each customer, on a page of customers in one statement', async (t) => {
    await answer(nps.id, mine.id, 9)
    const q = '{ customers(first: 50) { edges { node { id satisfaction { latestNps latestNpsAt latestCsat latestCsatAt } } } } }'
    const r = await ctx.gql(rep.token, q)
    const byId = new Map(r.data.customers.edges.map((e: { node: { id: string; satisfaction: unknown } }) => [e.node.id, e.node.satisfaction]))
    t.match(byId.get(mine.id), { latestNps: 9, latestCsat: 5, latestNpsAt: String, latestCsatAt: String })
    t.match(byId.get(mates.id), { latestNps: 10, latestCsat: null, latestCsatAt: null })
    const before = ctx.queries
    await ctx.gql(ctx.adminToken, q)
    const cost = ctx.queries - before
    await createCustomer(ctx)
    const again = ctx.queries
    await ctx.gql(ctx.adminToken, q)
    t.equal(ctx.queries - again, cost, 'one statement per page, whatever its size')
  })
})
