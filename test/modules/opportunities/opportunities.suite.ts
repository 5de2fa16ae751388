import t from 'tap'
import { and, asc, eq } from 'drizzle-orm'
import { outboxEvents } from '../../../src/db/schema/outbox-events.js'
import { auditEntries } from '../../../src/db/schema/audit-entries.js'
import { forEachDatabase } from '../../helper.js'

const OPP = 'id name stage probability version closedAt lostReason amount { amount currency } owner { id } customer { id }'
const CREATE = `mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { ${OPP} } userErrors { field message code } } }`
const MOVE = `mutation($id: ID!, $stage: OpportunityStage!, $lostReason: String, $probability: Int, $v: Int) {
  moveOpportunityStage(id: $id, stage: $stage, lostReason: $lostReason, probability: $probability, expectedVersion: $v) {
    opportunity { ${OPP} stageHistory { from to probability reason changedBy { id } changedAt } } userErrors { field message code } } }`

await forEachDatabase(t, async (t, ctx) => {
  const customer = (await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "商机客户" }) { customer { id } } }')).data.createCustomer.customer
  const newOpportunity = async (extra: Record<string, unknown> = {}) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { customerId: customer.id, name: '年度采购', ...extra } })
    t.same(r.data.createOpportunity.userErrors, [])
    return r.data.createOpportunity.opportunity
  }

  await t.test('creates at initial_contact with the default probability, 0 CNY and one history row', async (t) => {
    const sales = await ctx.staff('sales')
    const own = (await ctx.gql(sales.token, 'mutation { createCustomer(input: { name: "Own" }) { customer { id } } }')).data.createCustomer.customer
    const r = await ctx.gql(sales.token, CREATE, { i: { customerId: own.id, name: 'First deal' } })
    t.same(r.data.createOpportunity.userErrors, [])
    t.match(r.data.createOpportunity.opportunity, {
      stage: 'initial_contact', probability: 10, amount: { amount: 0, currency: 'CNY' }, owner: { id: sales.userId }, customer: { id: own.id }, version: 1, closedAt: null
    })
    const withAmount = await ctx.gql(sales.token, CREATE, { i: { customerId: own.id, name: 'Priced', stage: 'proposal', amount: { amount: 1_250_000 } } })
    t.match(withAmount.data.createOpportunity.opportunity, { stage: 'proposal', probability: 50, amount: { amount: 1_250_000, currency: 'CNY' } })
  })

  await t.test('walks initial_contact → needs_assessment → proposal → negotiation → won with history, closedAt and events', async (t) => {
    const opp = await newOpportunity({ amount: { amount: 500_000, currency: 'CNY' } })
    let version = opp.version
    let last: Record<string, any> = opp
    for (const [stage, probability] of [['needs_assessment', 25], ['proposal', 50], ['negotiation', 75], ['won', 100]] as const) {
      const r = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage, v: version })
      t.same(r.data.moveOpportunityStage.userErrors, [], stage)
      last = r.data.moveOpportunityStage.opportunity
      t.equal(last.stage, stage)
      t.equal(last.probability, probability)
      t.equal(last.version, version + 1)
      version = last.version
    }
    t.ok(last.closedAt, 'closedAt is set when won')
    t.same(last.stageHistory.map((h: { from: string | null; to: string; probability: number }) => [h.from, h.to, h.probability]), [
      [null, 'initial_contact', 10], ['initial_contact', 'needs_assessment', 25], ['needs_assessment', 'proposal', 50],
      ['proposal', 'negotiation', 75], ['negotiation', 'won', 100]
    ])
    t.ok(last.stageHistory.every((h: { changedAt: string }) => h.changedAt))
    const events = await ctx.app.db.select().from(outboxEvents).where(eq(outboxEvents.entityId, opp.id)).orderBy(asc(outboxEvents.occurredAt), asc(outboxEvents.id))
    t.same(events.map((e) => e.type), [
      'opportunity.created', 'opportunity.stage_changed', 'opportunity.stage_changed', 'opportunity.stage_changed', 'opportunity.stage_changed', 'opportunity.won'
    ])
    t.match(events.at(-1)!.data, { from: 'negotiation', to: 'won', opportunity: { id: opp.id, amount: { amount: 500_000, currency: 'CNY' } } })
    const audits = await ctx.app.db.select().from(auditEntries).where(and(eq(auditEntries.entityId, opp.id), eq(auditEntries.action, 'opportunity.stage_changed')))
    t.equal(audits.length, 4)
  })

  await t.test('refuses lost without a reason as a userError and changes nothing', async (t) => {
    const opp = await newOpportunity()
    const r = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'lost' })
    t.equal(r.data.moveOpportunityStage.opportunity, null)
    t.match(r.data.moveOpportunityStage.userErrors, [{ field: 'lostReason', code: 'REQUIRED' }])
    const still = await ctx.gql(ctx.adminToken, 'query($id: ID!) { opportunity(id: $id) { stage version } }', { id: opp.id })
    t.same(still.data.opportunity, { stage: 'initial_contact', version: 1 })
    const lost = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'lost', lostReason: '预算不足' })
    t.match(lost.data.moveOpportunityStage.opportunity, { stage: 'lost', probability: 0, lostReason: '预算不足' })
    const events = await ctx.app.db.select().from(outboxEvents).where(eq(outboxEvents.entityId, opp.id))
    t.ok(events.some((e) => e.type === 'opportunity.lost'))
  })

  await t.test('refuses to reopen a won opportunity: INVALID_TRANSITION (GraphQL userError, REST 422)', async (t) => {
    const opp = await newOpportunity({ stage: 'negotiation' })
    await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'won' })
    const r = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'proposal' })
    t.match(r.data.moveOpportunityStage.userErrors, [{ field: 'stage', code: 'INVALID_TRANSITION' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/opportunities/${opp.id}/stage`, { stage: 'negotiation' })
    t.equal(rest.statusCode, 422)
    t.equal(rest.json().code, 'CRM_ERR_INVALID_TRANSITION')
    const same = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'won' })
    t.same(same.data.moveOpportunityStage.userErrors, [], 'moving to the current stage is a no-op')
    t.equal(same.data.moveOpportunityStage.opportunity.stageHistory.length, 2)
  })

  await t.test('refuses a stale version: GraphQL STALE_VERSION, REST If-Match 412', async (t) => {
    const opp = await newOpportunity()
    const moved = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/opportunities/${opp.id}/stage`, { stage: 'proposal', probability: 60 }, { 'if-match': '"1"' })
    t.equal(moved.statusCode, 200)
    t.equal(moved.headers.etag, '"2"')
    t.match(moved.json(), { stage: 'proposal', probability: 60 })
    const stale = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/opportunities/${opp.id}/stage`, { stage: 'negotiation' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    const gql = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'negotiation', v: 1 })
    t.match(gql.data.moveOpportunityStage.userErrors, [{ field: 'expectedVersion', code: 'STALE_VERSION' }])
    const upd = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateOpportunity(id: $id, input: { name: "x", expectedVersion: 1 }) { userErrors { code } } }', { id: opp.id })
    t.match(upd.data.updateOpportunity.userErrors, [{ code: 'STALE_VERSION' }])
    const patch = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/opportunities/${opp.id}`, { name: 'Renamed', expectedCloseDate: '2030-06-30' }, { 'if-match': '"2"' })
    t.equal(patch.statusCode, 200)
    t.match(patch.json(), { name: 'Renamed', expectedCloseDate: '2030-06-30', stage: 'proposal', version: 3 })
  })

  await t.test('keeps won at 100: a different probability is a userError', async (t) => {
    const opp = await newOpportunity()
    const r = await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'won', probability: 80 })
    t.match(r.data.moveOpportunityStage.userErrors, [{ field: 'probability', code: 'INVALID_PROBABILITY' }])
    await ctx.gql(ctx.adminToken, MOVE, { id: opp.id, stage: 'won' })
    const upd = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateOpportunity(id: $id, input: { probability: 50 }) { userErrors { field code } } }', { id: opp.id })
    t.match(upd.data.updateOpportunity.userErrors, [{ field: 'probability', code: 'INVALID_PROBABILITY' }])
  })

  await t.test('upserts by externalId over REST: 201, then 200 with a stage move recorded', async (t) => {
    const body = { customerId: customer.id, name: 'ERP deal', amount: { amount: 99_00 } }
    const first = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/opportunities/by-external-id/ERP-OPP-1', body)
    t.equal(first.statusCode, 201)
    const again = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/opportunities/by-external-id/ERP-OPP-1', { ...body, stage: 'proposal' })
    t.equal(again.statusCode, 200)
    t.match(again.json(), { id: first.json().id, externalId: 'ERP-OPP-1', stage: 'proposal', probability: 50 })
    const history = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/opportunities/${first.json().id}/stage-history`)
    t.same(history.json().data.map((h: { to: string }) => h.to), ['initial_contact', 'proposal'])
    const gql = await ctx.gql(ctx.adminToken, 'mutation($i: CreateOpportunityInput!) { upsertOpportunity(externalId: "ERP-OPP-1", input: $i) { created opportunity { id name } userErrors { code } } }',
      { i: { customerId: customer.id, name: 'ERP deal renamed' } })
    t.match(gql.data.upsertOpportunity, { created: false, opportunity: { id: first.json().id, name: 'ERP deal renamed' } })
  })

  await t.test('refuses a customer the caller cannot see, naming customerId', async (t) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i: { customerId: '01900000-0000-7000-8000-000000000000', name: 'Ghost' } })
    t.match(r.data.createOpportunity.userErrors, [{ field: 'customerId', code: 'UNKNOWN_CUSTOMER' }])
  })

  await t.test('links a campaign (Opportunity.campaign, filter campaignId) and refuses an unknown one as a userError', async (t) => {
    const campaign = (await ctx.gql(ctx.adminToken, 'mutation { createCampaign(input: { name: "Linked" }) { campaign { id } } }')).data.createCampaign.campaign
    const opp = await newOpportunity({ campaignId: campaign.id })
    const q = 'query($c: ID!) { opportunities(filter: { campaignId: $c }) { totalCount edges { node { id campaign { id name } } } } }'
    const r = await ctx.gql(ctx.adminToken, q, { c: campaign.id })
    t.match(r.data.opportunities, { totalCount: 1, edges: [{ node: { id: opp.id, campaign: { id: campaign.id, name: 'Linked' } } }] })
    const unknown = await ctx.gql(ctx.adminToken, CREATE, { i: { customerId: customer.id, name: 'x', campaignId: '01900000-0000-7000-8000-000000000000' } })
    t.match(unknown.data.createOpportunity.userErrors, [{ field: 'campaignId', code: 'UNKNOWN_REFERENCE' }])
  })

  await t.test('filters by open, stage and name and orders by amount', async (t) => {
    const tag = `flt${Date.now()}`
    const c = (await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Filter" }) { customer { id } } }')).data.createCustomer.customer
    for (const [name, amount, stage] of [[`${tag} small`, 100, 'proposal'], [`${tag} big`, 900, 'negotiation'], [`${tag} mid`, 500, 'initial_contact']] as const) {
      await ctx.gql(ctx.adminToken, CREATE, { i: { customerId: c.id, name, amount: { amount }, stage } })
    }
    const q = `query($f: OpportunityFilter, $o: OpportunityOrder) { opportunities(filter: $f, orderBy: $o) { totalCount edges { node { name amount { amount } } } } }`
    const byAmount = await ctx.gql(ctx.adminToken, q, { f: { search: tag.toUpperCase(), open: true }, o: { field: 'amount', direction: 'ASC' } })
    t.same(byAmount.data.opportunities.edges.map((e: any) => e.node.amount.amount), [100, 500, 900])
    t.equal(byAmount.data.opportunities.totalCount, 3)
    const staged = await ctx.gql(ctx.adminToken, q, { f: { customerId: c.id, stage: ['proposal', 'negotiation'] } })
    t.equal(staged.data.opportunities.totalCount, 2)
    const closed = await ctx.gql(ctx.adminToken, q, { f: { customerId: c.id, open: false } })
    t.equal(closed.data.opportunities.totalCount, 0)
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/opportunities?customerId=${c.id}&stage=proposal&limit=1`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().data.length, 1)
    t.equal(rest.json().nextCursor, null)
  })

  await t.test('soft-deletes: 204, then 404 and gone from lists', async (t) => {
    const opp = await newOpportunity()
    const del = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/opportunities/${opp.id}`)
    t.equal(del.statusCode, 204)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/opportunities/${opp.id}`)).statusCode, 404)
    const g = await ctx.gql(ctx.adminToken, 'query($id: ID!) { opportunity(id: $id) { id } }', { id: opp.id })
    t.equal(g.data.opportunity, null)
  })
})
