import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CONVERT = `mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) {
  lead { id status convertedAt customer { id } convertedOpportunity { id } version history { kind fromStatus toStatus } }
  customer { id name phone company owner { id } referrer { id } referredBy { id } sourceChannel }
  opportunity { id name amount { amount currency } owner { id } customer { id } }
  userErrors { field code message } } }`
const STATUS = 'mutation($id: ID!, $s: LeadStatus!) { updateLeadStatus(id: $id, status: $s) { lead { status } userErrors { code } } }'
const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id leadId } userErrors { code message } } }'

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('Conversion north')
  const south = await ctx.createTeam('Conversion south')
  const rep = await ctx.staff('sales', { teamId: north, name: 'Converter' })
  const outsider = await ctx.staff('sales', { teamId: south, name: 'Outsider' })
  const ref = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } } }',
    { i: { kind: 'partner', name: 'Partner Co', ownerId: rep.userId } })
  const referrerId = ref.data.createReferrer.referrer.id
  let phone = 0
  /** A referral's lead, owned by the rep (the referrer's owner), moved to `status`. */
  const referralLead = async (status: 'new' | 'qualified' = 'qualified', company = 'ACME') => {
    const r = await ctx.gql(ctx.adminToken, SUBMIT, { i: { referrerId, name: `Referred ${++phone}`, phone: `1370000${String(phone).padStart(4, '0')}`, company } })
    const { id: referralId, leadId } = r.data.submitReferral.referral
    if (status === 'qualified') await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })
    return { referralId, leadId: leadId as string }
  }
  const count = async (table: string) => (await ctx.sql<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n

  await t.test('converts a qualified referral lead into a customer and an opportunity, in one go', async (t) => {
    const { referralId, leadId } = await referralLead()
    const r = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { opportunity: { name: 'ACME rollout', amount: { amount: 1250000 } }, customer: { company: 'ACME Ltd' } } })
    t.same(r.errors, undefined)
    t.same(r.data.convertLead.userErrors, [])
    const { lead, customer, opportunity } = r.data.convertLead
    t.match(customer, { name: /^Referred/, phone: /^1370000/, company: 'ACME Ltd', owner: { id: rep.userId }, referrer: { id: referrerId }, referredBy: { id: referralId }, sourceChannel: 'referral' })
    t.match(opportunity, { name: 'ACME rollout', amount: { amount: 1250000, currency: 'CNY' }, owner: { id: rep.userId }, customer: { id: customer.id } })
    t.match(lead, { status: 'converted', customer: { id: customer.id }, convertedOpportunity: { id: opportunity.id } })
    t.ok(lead.convertedAt)
    t.match(lead.history.at(-1), { kind: 'converted', fromStatus: 'qualified', toStatus: 'converted' })
    const [stored] = await ctx.sql<{ referred_by_referral_id: string; phone_idx: string }>('select referred_by_referral_id, phone_idx from customers where id = $1', [customer.id])
    t.equal(stored.referred_by_referral_id, referralId, 'the customer remembers the referral that brought it')
    const [leadRow] = await ctx.sql<{ phone_idx: string }>('select phone_idx from leads where id = $1', [leadId])
    t.equal(stored.phone_idx, leadRow.phone_idx, "the lead's sealed contact is copied, still searchable")
    const [opp] = await ctx.sql<{ lead_id: string; referrer_id: string }>('select lead_id, referrer_id from opportunities where id = $1', [opportunity.id])
    t.same(opp, { lead_id: leadId, referrer_id: referrerId })
    const types = (await ctx.sql<{ type: string }>('select type from outbox_events where entity_id = any($1::uuid[]) order by id', [[leadId, customer.id, opportunity.id]])).map((e) => e.type)
    t.match(types, ['lead.created', 'lead.assigned', 'lead.status_changed', 'customer.created', 'opportunity.created', 'lead.converted'])
    const [converted] = await ctx.sql<{ data: Record<string, unknown> }>("select data from outbox_events where entity_id = $1 and type = 'lead.converted'", [leadId])
    t.match(converted.data, { id: leadId, customerId: customer.id, opportunityId: opportunity.id, referralId })
    const [referral] = await ctx.sql<{ status: string; customer_id: string; opportunity_id: string }>('select status, customer_id, opportunity_id from referrals where id = $1', [referralId])
    t.same(referral, { status: 'qualified', customer_id: customer.id, opportunity_id: opportunity.id }, 'the referral follows, waiting for the deal')
  })

  await t.test('without an opportunity the referral is converted at once (REST twin)', async (t) => {
    const { referralId, leadId } = await referralLead()
    const res = await ctx.rest(rep.token, 'POST', `/api/v1/leads/${leadId}/convert`, { createOpportunity: false })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { lead: { status: 'converted', convertedOpportunityId: null }, opportunity: null, customer: { ownerId: rep.userId } })
    t.equal(res.headers.etag, `"${res.json().lead.version}"`)
    t.notOk('phoneEnc' in res.json().customer)
    const [referral] = await ctx.sql<{ status: string }>('select status from referrals where id = $1', [referralId])
    t.equal(referral.status, 'converted')
  })

  await t.test('a lead that is not qualified is a userError INVALID_TRANSITION (422 over REST) and nothing is written', async (t) => {
    const { leadId } = await referralLead('new')
    const [customers, opportunities] = [await count('customers'), await count('opportunities')]
    const r = await ctx.gql(rep.token, CONVERT, { id: leadId })
    t.match(r.data.convertLead, { lead: null, customer: null, userErrors: [{ field: 'status', code: 'INVALID_TRANSITION', message: /qualified/ }] })
    const rest = await ctx.rest(rep.token, 'POST', `/api/v1/leads/${leadId}/convert`, {})
    t.equal(rest.statusCode, 422)
    t.equal(rest.json().code, 'CRM_ERR_INVALID_TRANSITION')
    t.same([await count('customers'), await count('opportunities')], [customers, opportunities])
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/leads/${leadId}`)).json().status, 'new')
  })

  await t.test('a converted lead cannot be converted again', async (t) => {
    const { leadId } = await referralLead()
    await ctx.gql(rep.token, CONVERT, { id: leadId })
    const again = await ctx.gql(rep.token, CONVERT, { id: leadId })
    t.match(again.data.convertLead.userErrors, [{ code: 'INVALID_TRANSITION' }])
  })

  await t.test("another team's rep gets NOT_FOUND (404), never a hint", async (t) => {
    const { leadId } = await referralLead()
    const r = await ctx.gql(outsider.token, CONVERT, { id: leadId })
    t.equal(r.errors?.[0].extensions?.code, 'NOT_FOUND')
    t.equal((await ctx.rest(outsider.token, 'POST', `/api/v1/leads/${leadId}/convert`, {})).statusCode, 404)
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/leads/${leadId}`)).json().status, 'qualified')
  })

  await t.test('links an existing customer instead of creating one; one the caller cannot see is UNKNOWN_CUSTOMER', async (t) => {
    const mine = await ctx.gql(rep.token, 'mutation { createCustomer(input: { name: "Existing" }) { customer { id } } }')
    const theirs = await ctx.gql(outsider.token, 'mutation { createCustomer(input: { name: "Theirs" }) { customer { id } } }')
    const { leadId } = await referralLead()
    const hidden = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { existingCustomerId: theirs.data.createCustomer.customer.id } })
    t.match(hidden.data.convertLead.userErrors, [{ field: 'existingCustomerId', code: 'UNKNOWN_CUSTOMER' }])
    const before = await count('customers')
    const r = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { existingCustomerId: mine.data.createCustomer.customer.id, createOpportunity: false } })
    t.match(r.data.convertLead, { customer: { id: mine.data.createCustomer.customer.id, name: 'Existing' }, opportunity: null, lead: { status: 'converted' } })
    t.equal(await count('customers'), before, 'no customer created')
  })

  await t.test('invalid input and stale versions are userErrors; nothing changes', async (t) => {
    const { leadId } = await referralLead()
    const phoneBad = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { customer: { phone: '123' } } })
    t.match(phoneBad.data.convertLead.userErrors, [{ field: 'phone', code: 'INVALID_PHONE' }])
    const stale = await ctx.gql(rep.token, CONVERT, { id: leadId, i: { expectedVersion: 99 } })
    t.match(stale.data.convertLead.userErrors, [{ code: 'STALE_VERSION' }])
    const unknownField = await ctx.rest(rep.token, 'POST', `/api/v1/leads/${leadId}/convert`, { customer: { nickname: 'x' } })
    t.equal(unknownField.statusCode, 400)
    const ifMatch = await ctx.rest(rep.token, 'POST', `/api/v1/leads/${leadId}/convert`, {}, { 'if-match': '"99"' })
    t.equal(ifMatch.statusCode, 412)
    t.equal((await ctx.rest(rep.token, 'GET', `/api/v1/leads/${leadId}`)).json().status, 'qualified')
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
