import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { CONFIRM, createReferrer, newPhone, referrerToken, submit, YES } from '../referrals/support.js'

// Issue 15: after convertLead the calls logged on the lead were missing from the customer's
// activities, and the customer's consent was null although the referral carried one.
const ACT = 'id kind subject customerId leadId opportunityId referrerId occurredAt'
const TIMELINE = `query($id: ID!, $n: Int) { customer(id: $id) { id consent { granted at channel purpose note } activities(first: $n) { ${ACT} } } }`
const PAGE = `query($f: ActivityFilter, $n: Int, $after: String) { activities(first: $n, after: $after, filter: $f) {
  edges { cursor node { id subject } } pageInfo { hasNextPage endCursor } totalCount } }`
const LOG = 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { field code message } } }'
const CONVERT = `mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) {
  customer { id consent { granted at channel purpose note } } opportunity { id } userErrors { field code message } } }`

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString()

async function log(ctx: TestApp, token: string, input: Record<string, unknown>): Promise<string> {
  const r = await ctx.gql(token, LOG, { i: { kind: 'call', ...input } })
  if (!r.data?.logActivity?.activity) throw new Error(JSON.stringify(r))
  return r.data.logActivity.activity.id
}

/** A consented referral whose lead went to the referrer's owner and was qualified by them. */
async function consentedLead(ctx: TestApp, referrerId: string, ownerToken: string, name: string) {
  const s = await submit(ctx, ctx.adminToken, { referrerId, name, phone: newPhone() })
  const confirmed = await ctx.gql(ctx.adminToken, CONFIRM, { t: s.consentToken, i: YES })
  const referral = confirmed.data.confirmReferralConsent.referral
  if (!referral?.leadId) throw new Error(JSON.stringify(confirmed))
  return { referralId: referral.id as string, leadId: referral.leadId as string, consentAt: referral.consent.at as string, ownerToken }
}

async function qualify(ctx: TestApp, token: string, leadId: string) {
  const r = await ctx.gql(token, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code message } } }', { id: leadId })
  if (r.data?.updateLeadStatus?.userErrors?.length !== 0) throw new Error(JSON.stringify(r))
}

/** Walks a connection page by page (`size` at a time); returns the ids in order. */
async function walkGql(ctx: TestApp, token: string, filter: Record<string, unknown>, size: number): Promise<string[]> {
  const ids: string[] = []
  let after: string | null = null
  for (let i = 0; i < 50; i++) {
    const r: { data: { activities: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } =
      await ctx.gql(token, PAGE, { f: filter, n: size, after })
    ids.push(...r.data.activities.edges.map((e) => e.node.id))
    if (!r.data.activities.pageInfo.hasNextPage) return ids
    after = r.data.activities.pageInfo.endCursor
  }
  throw new Error('no end')
}

async function walkRest(ctx: TestApp, token: string, customerId: string, size: number): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | null = null
  for (let i = 0; i < 50; i++) {
    const res = await ctx.rest(token, 'GET', `/api/v1/activities?customerId=${customerId}&limit=${size}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    if (res.statusCode !== 200) throw new Error(res.body)
    const body = res.json()
    ids.push(...body.data.map((a: { id: string }) => a.id))
    cursor = body.nextCursor ?? body.pageInfo?.endCursor ?? null
    if (!cursor) return ids
  }
  throw new Error('no end')
}

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam('A')
  const teamB = await ctx.createTeam('B')
  const amy = await ctx.staff('sales', { teamId: teamA, name: 'Amy' })
  const bob = await ctx.staff('sales', { teamId: teamB, name: 'Bob' })
  const manager = await ctx.staff('manager', { teamId: teamA })
  const marketing = await ctx.staff('marketing')
  const integration = await ctx.keyToken('integration')
  const referrer = await createReferrer(ctx, { ownerId: amy.userId })

  // Before conversion: two calls on the lead (no customer yet), one on the referrer.
  const first = await consentedLead(ctx, referrer.id, amy.token, '赵六')
  const onLead1 = await log(ctx, amy.token, { leadId: first.leadId, subject: 'lead call 1', occurredAt: minutesAgo(60) })
  const onLead2 = await log(ctx, integration, { leadId: first.leadId, kind: 'wechat', subject: 'lead wechat', occurredAt: minutesAgo(50) })
  const onReferrer = await log(ctx, amy.token, { referrerId: referrer.id, subject: 'thanked the referrer', occurredAt: minutesAgo(45) })
  await qualify(ctx, amy.token, first.leadId)
  const converted = await ctx.gql(amy.token, CONVERT, { id: first.leadId, i: { opportunity: { name: '赵六 deal' } } })
  t.same(converted.data.convertLead.userErrors, [])
  const customerId = converted.data.convertLead.customer.id as string
  const opportunityId = converted.data.convertLead.opportunity.id as string
  // After conversion: on the opportunity, on the customer, and again on the lead.
  const onOpp = await log(ctx, amy.token, { opportunityId, kind: 'meeting', subject: 'opportunity meeting', occurredAt: minutesAgo(40) })
  const onCustomer = await log(ctx, manager.token, { customerId, kind: 'visit', subject: 'customer visit', occurredAt: minutesAgo(30) })
  const onLead3 = await log(ctx, amy.token, { leadId: first.leadId, kind: 'note', subject: 'late lead note', occurredAt: minutesAgo(20) })
  const other = await ctx.gql(amy.token, 'mutation { createCustomer(input: { name: "别人" }) { customer { id } } }')
  await log(ctx, amy.token, { customerId: other.data.createCustomer.customer.id, subject: 'someone else', occurredAt: minutesAgo(10) })
  const timeline = [onLead3, onCustomer, onOpp, onLead2, onLead1]

  await t.test("the customer's activities include its lead's, opportunity's and referral's, newest first, each keeping its subject", async (t) => {
    const r = await ctx.gql(ctx.adminToken, TIMELINE, { id: customerId, n: 10 })
    const acts = r.data.customer.activities
    t.same(acts.map((a: { id: string }) => a.id), timeline)
    t.notOk(acts.some((a: { id: string }) => a.id === onReferrer), "the referrer's own activities are the referrer's")
    t.match(acts.find((a: { id: string }) => a.id === onLead1), { leadId: first.leadId, customerId: null, opportunityId: null })
    t.match(acts.find((a: { id: string }) => a.id === onOpp), { opportunityId, customerId })
    const inline = await ctx.gql(ctx.adminToken, `{ customer(id: "${customerId}") { activities(first: 2) { id } } }`)
    t.same(inline.data.customer.activities.map((a: { id: string }) => a.id), timeline.slice(0, 2), 'first: written inline')
    const many = await ctx.gql(ctx.adminToken, `{ customers(first: 50) { edges { node { id activities(first: 10) { id } } } } }`)
    const node = many.data.customers.edges.find((e: { node: { id: string } }) => e.node.id === customerId).node
    t.same(node.activities.map((a: { id: string }) => a.id), timeline, 'the same in a list of customers')
    t.same((await ctx.gql(ctx.adminToken, TIMELINE, { id: customerId, n: 0 })).data.customer.activities, [])
  })

  await t.test('activities(filter: { customerId }) and REST page through the timeline without gaps or repeats', async (t) => {
    for (const size of [1, 2, 3, 200]) {
      t.same(await walkGql(ctx, ctx.adminToken, { customerId }, size), timeline, `GraphQL pages of ${size}`)
      t.same(await walkRest(ctx, ctx.adminToken, customerId, size), timeline, `REST pages of ${size}`)
    }
    const counted = await ctx.gql(ctx.adminToken, PAGE, { f: { customerId }, n: 2 })
    t.equal(counted.data.activities.totalCount, timeline.length)
    const inline = await ctx.gql(ctx.adminToken, `{ activities(first: 10, filter: { customerId: "${customerId}", kind: [call] }) { edges { node { id } } } }`)
    t.same(inline.data.activities.edges.map((e: { node: { id: string } }) => e.node.id), [onLead1], 'other filters still apply')
  })

  await t.test('whoever may see the customer sees its whole timeline; others only what they could see anyway', async (t) => {
    const moved = await ctx.gql(manager.token, 'mutation($id: ID!, $o: ID!) { updateCustomer(id: $id, input: { ownerId: $o }) { userErrors { code } } }', { id: customerId, o: bob.userId })
    t.same(moved.data.updateCustomer.userErrors, [])
    // Bob owns the customer now; the lead and opportunity are still Amy's (another team).
    t.same((await ctx.gql(bob.token, TIMELINE, { id: customerId, n: 10 })).data.customer.activities.map((a: { id: string }) => a.id), timeline)
    t.same(await walkGql(ctx, bob.token, { customerId }, 2), timeline)
    t.same(await walkRest(ctx, bob.token, customerId, 2), timeline)
    for (const token of [marketing.token, manager.token]) {
      t.same((await ctx.gql(token, TIMELINE, { id: customerId, n: 10 })).data.customer.activities.map((a: { id: string }) => a.id), timeline)
    }
    // Amy no longer sees the customer: through the filter she gets only what she could see
    // anyway (her lead's and opportunity's activities, what she wrote), not the manager's visit.
    t.equal((await ctx.gql(amy.token, TIMELINE, { id: customerId, n: 10 })).data.customer, null)
    t.same(await walkGql(ctx, amy.token, { customerId }, 2), [onLead3, onOpp, onLead2, onLead1])
    const referrerTok = await referrerToken(ctx, referrer.id)
    t.equal((await ctx.gql(referrerTok, PAGE, { f: { customerId }, n: 5 })).errors?.[0].extensions?.code, 'FORBIDDEN')
  })

  await t.test("the referral's consent record carries over to the new customer", async (t) => {
    const consent = converted.data.convertLead.customer.consent
    t.match(consent, { granted: true, at: first.consentAt, channel: YES.channel, purpose: YES.purpose })
    t.match(consent.note, new RegExp(first.referralId))
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${customerId}`)
    t.match(rest.json().consent, { granted: true, at: first.consentAt, channel: YES.channel })
  })

  await t.test('converting into an existing customer without consent gives it the referral\'s; one with consent keeps its own', async (t) => {
    const bare = await ctx.gql(amy.token, 'mutation { createCustomer(input: { name: "老客户" }) { customer { id version } } }')
    const bareId = bare.data.createCustomer.customer.id
    const second = await consentedLead(ctx, referrer.id, amy.token, '钱七')
    await qualify(ctx, amy.token, second.leadId)
    const r = await ctx.rest(amy.token, 'POST', `/api/v1/leads/${second.leadId}/convert`, { existingCustomerId: bareId, createOpportunity: false })
    t.equal(r.statusCode, 200, r.body)
    t.match(r.json().customer.consent, { granted: true, at: second.consentAt })
    const events = await ctx.sql<{ data: { changes: Record<string, unknown> } }>("select data from outbox_events where type = 'customer.updated' and entity_id = $1", [bareId])
    t.match(events, [{ data: { changes: { consent: { from: null, to: { granted: true } } } } }])
    const own = { granted: false, at: minutesAgo(5), channel: 'phone_call', purpose: 'marketing' }
    const kept = await ctx.gql(amy.token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: '有同意', consent: own } })
    const third = await consentedLead(ctx, referrer.id, amy.token, '孙八')
    await qualify(ctx, amy.token, third.leadId)
    const c = await ctx.gql(amy.token, CONVERT, { id: third.leadId, i: { existingCustomerId: kept.data.createCustomer.customer.id, createOpportunity: false } })
    t.match(c.data.convertLead.customer.consent, { granted: false, channel: 'phone_call' })
  })

  await t.test('a merge keeps the latest consent answer and the merged timelines', async (t) => {
    const older = { granted: true, at: minutesAgo(600), channel: 'form', purpose: 'contact' }
    const newer = { granted: false, at: new Date().toISOString(), channel: 'phone_call', purpose: 'contact', note: 'asked to stop' }
    const mk = async (name: string, consent: Record<string, unknown>) => (await ctx.gql(ctx.adminToken,
      'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name, consent, ownerId: bob.userId } })).data.createCustomer.customer.id
    const survivor = await mk('合并后', older)
    const merged = await mk('被合并', newer)
    const r = await ctx.gql(manager.token, `mutation { mergeCustomers(survivorId: "${survivor}", mergedIds: ["${customerId}", "${merged}"]) {
      customer { consent { granted channel note } } userErrors { code message } } }`)
    t.same(r.data.mergeCustomers.userErrors, [])
    t.same(r.data.mergeCustomers.customer.consent, { granted: false, channel: 'phone_call', note: 'asked to stop' }, 'a newer refusal beats an older grant')
    const acts = (await ctx.gql(bob.token, TIMELINE, { id: survivor, n: 10 })).data.customer.activities.map((a: { id: string }) => a.id)
    t.same(acts, timeline, "the merged customer's lead and opportunity activities follow to the survivor")
  })
})
