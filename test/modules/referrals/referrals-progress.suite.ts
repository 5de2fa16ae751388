import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { CONFIRM, createReferrer, eventsOf, GET, newPhone, referrerToken, submit, YES } from './support.js'

const STATUS = 'mutation($id: ID!, $s: LeadStatus!, $r: String) { updateLeadStatus(id: $id, status: $s, reason: $r) { lead { status } userErrors { code message } } }'
const CONVERT = `mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) {
  lead { status } customer { id referredBy { id status } } opportunity { id } userErrors { field code message } } }`
const WIN = 'mutation($id: ID!) { moveOpportunityStage(id: $id, stage: won) { opportunity { stage } userErrors { code message } } }'

/** A referral that passed consent: submitted, with its lead. */
async function accepted(ctx: TestApp, referrerId: string, name = 'Referred'): Promise<{ id: string; leadId: string }> {
  const { referral, consentToken } = await submit(ctx, ctx.adminToken, { referrerId, name, phone: newPhone() })
  const c = await ctx.gql(ctx.adminToken, CONFIRM, { t: consentToken, i: YES })
  return { id: referral!.id, leadId: c.data.confirmReferralConsent.referral.leadId }
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Referral desk')
  const rep = await ctx.staff('sales', { teamId: team, name: 'Rep' })
  const referrer = await createReferrer(ctx, { name: '推荐人甲', ownerId: rep.userId }, rep.token)
  const status = async (id: string) => (await ctx.gql(ctx.adminToken, GET, { id })).data.referral

  await t.test('end to end: code → public form → consent → lead assigned → activity → qualified → converted → won → referrer sees it', async (t) => {
    const phone = newPhone()
    const landing = await ctx.app.inject({ method: 'GET', url: `/api/v1/public/referrers/${referrer.code}` })
    t.equal(landing.json().displayName, '推***')
    const form = await ctx.app.inject({ method: 'POST', url: '/api/v1/public/referrals', payload: { referralCode: referrer.code, name: '赵六', phone, company: '六合', channel: 'qr' } })
    t.equal(form.statusCode, 202)
    const list = await ctx.gql(rep.token, 'query($r: ID!) { referrals(filter: { referrerId: $r, status: [pending_consent] }) { edges { node { id channel } } } }', { r: referrer.id })
    const id = list.data.referrals.edges[0].node.id
    t.equal(list.data.referrals.edges[0].node.channel, 'qr', 'the relationship owner sees the pending referral')
    const integration = await ctx.keyToken('integration')
    const token = (await ctx.gql(integration, 'mutation($id: ID!) { issueReferralConsentToken(id: $id) { token } }', { id })).data.issueReferralConsentToken.token
    const consent = await ctx.app.inject({ method: 'POST', url: '/api/v1/public/referrals/consent', payload: { token, ...YES } })
    t.same(consent.json(), { status: 'submitted' })

    const { leadId } = await status(id)
    const lead = await ctx.gql(rep.token, 'query($id: ID!) { lead(id: $id) { source owner { id } history { kind } referral { id status } } }', { id: leadId })
    t.match(lead.data.lead, { source: 'referral', owner: { id: rep.userId }, referral: { id, status: 'submitted' } })
    t.ok(lead.data.lead.history.some((h: { kind: string }) => h.kind === 'assigned'), 'the assignment is on the lead’s history')
    const activity = await ctx.gql(rep.token, 'mutation($l: ID!) { logActivity(input: { kind: call, leadId: $l, subject: "First call" }) { activity { id } userErrors { code message } } }', { l: leadId })
    t.same(activity.data.logActivity.userErrors, [])

    t.same((await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })).data.updateLeadStatus.userErrors, [])
    const qualified = await status(id)
    t.match(qualified, { status: 'qualified' })
    t.ok(qualified.qualifiedAt)

    const converted = (await ctx.gql(rep.token, CONVERT, { id: leadId, i: { opportunity: { name: '六合 deal' } } })).data.convertLead
    t.same(converted.userErrors, [])
    t.same(converted.customer.referredBy, { id, status: 'qualified' }, 'the customer remembers who referred it')
    t.match(await status(id), { status: 'qualified', customerId: converted.customer.id, opportunityId: converted.opportunity.id, convertedAt: null },
      'with an open opportunity the referral waits for it to be won')

    t.same((await ctx.gql(rep.token, WIN, { id: converted.opportunity.id })).data.moveOpportunityStage.userErrors, [])
    const done = await status(id)
    t.match(done, { status: 'converted' })
    t.ok(Date.parse(done.convertedAt) >= Date.parse(done.qualifiedAt), 'each transition is timestamped in order')
    t.same((await eventsOf(ctx, id)).map((e) => e.type),
      ['referral.consent_requested', 'referral.consented', 'referral.submitted', 'referral.qualified', 'referral.converted'])

    const own = await referrerToken(ctx, referrer.id)
    const seen = await ctx.gql(own, '{ me { referrer { stats { submitted accepted qualified converted conversionRate } referrals { edges { node { id status phone convertedAt } } } } } }')
    t.same(seen.data.me.referrer.stats, { submitted: 1, accepted: 1, qualified: 1, converted: 1, conversionRate: 1 })
    t.match(seen.data.me.referrer.referrals.edges, [{ node: { id, status: 'converted', phone: `${phone.slice(0, 3)}****${phone.slice(7)}` } }])
  })

  await t.test('converting a referred lead without an opportunity converts the referral at once', async (t) => {
    const { id, leadId } = await accepted(ctx, referrer.id)
    await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })
    const c = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { createOpportunity: false } })
    t.same(c.data.convertLead.userErrors, [])
    const r = await status(id)
    t.match(r, { status: 'converted', customerId: c.data.convertLead.customer.id, opportunityId: null })
    t.ok(r.convertedAt)
  })

  await t.test('a disqualified lead leaves its referral as it was; a lost opportunity does not convert it', async (t) => {
    const { id, leadId } = await accepted(ctx, referrer.id)
    t.same((await ctx.gql(rep.token, STATUS, { id: leadId, s: 'disqualified', r: 'no budget' })).data.updateLeadStatus.userErrors, [])
    t.match(await status(id), { status: 'submitted', qualifiedAt: null })
    const other = await accepted(ctx, referrer.id)
    await ctx.gql(rep.token, STATUS, { id: other.leadId, s: 'qualified' })
    const opp = (await ctx.gql(rep.token, CONVERT, { id: other.leadId })).data.convertLead.opportunity
    await ctx.gql(rep.token, 'mutation($id: ID!) { moveOpportunityStage(id: $id, stage: lost, lostReason: "price") { opportunity { stage } } }', { id: opp.id })
    t.match(await status(other.id), { status: 'qualified', convertedAt: null })
  })

  await t.test('a referral a manager rejected does not move with its lead', async (t) => {
    const { id, leadId } = await accepted(ctx, referrer.id)
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { rejectReferral(id: $id, reason: invalid) { referral { status } } }', { id })
    await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })
    t.match(await status(id), { status: 'rejected', qualifiedAt: null })
  })

  await t.test('Customer.referrals lists what the customer referred as a referrer, batched with its count', async (t) => {
    const c = await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Loyal customer" }) { customer { id } } }')
    const customerId = c.data.createCustomer.customer.id
    const asReferrer = await createReferrer(ctx, { kind: 'customer', name: 'Loyal customer', customerId })
    const made = [await accepted(ctx, asReferrer.id, 'First'), await accepted(ctx, asReferrer.id, 'Second')]
    const q = `query($id: ID!) { customer(id: $id) { referrals(first: 1) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name referrer { id } } } } } }`
    const page1 = (await ctx.gql(ctx.adminToken, q, { id: customerId })).data.customer.referrals
    t.equal(page1.totalCount, 2)
    t.same(page1.edges.map((e: { node: { id: string } }) => e.node.id), [made[1].id], 'newest first')
    t.equal(page1.pageInfo.hasNextPage, true)
    const q2 = `query($id: ID!, $a: String) { customer(id: $id) { referrals(first: 5, after: $a) { edges { node { id } } pageInfo { hasNextPage } } } }`
    const page2 = (await ctx.gql(ctx.adminToken, q2, { id: customerId, a: page1.pageInfo.endCursor })).data.customer.referrals
    t.same(page2.edges.map((e: { node: { id: string } }) => e.node.id), [made[0].id])
    for (let i = 0; i < 3; i++) {
      const extra = await createReferrer(ctx)
      await submit(ctx, ctx.adminToken, { referrerId: extra.id, name: `Extra ${i}`, phone: newPhone() })
    }
    const page = (first: number) => `{ referrers(first: ${first}) { edges { node { id stats { submitted } referrals(first: 3) { totalCount edges { node { id referrer { id } } } } } } } }`
    const cost = async (first: number) => {
      const before = ctx.queries
      const r = await ctx.gql(ctx.adminToken, page(first))
      t.notOk(r.errors)
      return { queries: ctx.queries - before, referrers: r.data.referrers.edges.length }
    }
    const one = await cost(1)
    const all = await cost(50)
    t.ok(all.referrers >= 5)
    t.equal(all.queries, one.queries, `a page of ${all.referrers} referrers with stats and referrals costs what a page of 1 does (${one.queries} queries)`)
  })

  await t.test('merging customers moves the referrals they became to the survivor', async (t) => {
    const { id, leadId } = await accepted(ctx, referrer.id, 'To merge')
    await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })
    const merged = (await ctx.gql(rep.token, CONVERT, { id: leadId, i: { createOpportunity: false } })).data.convertLead.customer.id
    const survivor = (await ctx.gql(ctx.adminToken, 'mutation { createCustomer(input: { name: "Survivor" }) { customer { id } } }')).data.createCustomer.customer.id
    const m = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code message } } }', { s: survivor, m: [merged] })
    t.same(m.data.mergeCustomers.userErrors, [])
    t.equal((await status(id)).customerId, survivor)
    const s = await ctx.gql(ctx.adminToken, 'query($id: ID!) { customer(id: $id) { referredBy { id } } }', { id: survivor })
    t.same(s.data.customer.referredBy, { id }, 'the survivor takes over referredBy when it had none')
  })
})
