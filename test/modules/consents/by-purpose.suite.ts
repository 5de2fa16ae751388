import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

/**
 * Consent by purpose (issue 20, docs/privacy.md "Consent by purpose"): the referrer's current
 * state, staff on behalf needs a note, every purpose, and a converted referral's double
 * confirmation carried over to the customer in the conversion's own transaction.
 */
const STATE = 'query($id: ID!) { referrer(id: $id) { id consents { purpose channel granted source textVersion } } }'
const RECORD = 'mutation($i: RecordConsentInput!) { recordConsent(input: $i) { consent { id referrerId purpose granted source note } userErrors { field code } } }'
const WITHDRAW = 'mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { consent { id granted source note } userErrors { field code } } }'
const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id leadId status } consentToken userErrors { code message } } }'
const CONVERT = 'mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) { customer { id consents { purpose channel granted source } } userErrors { field code } } }'
const YES = { granted: true, channel: 'sms_link', purpose: '营销短信推送', by: 'self' }

let n = 0
const phone = () => `134${String(process.pid % 10_000).padStart(4, '0')}${String(++n).padStart(4, '0')}`

async function referrer(ctx: TestApp): Promise<string> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: `渠道${n++}` })
  return res.json().id
}

/** A referral the person confirmed (double confirmation), its lead qualified: ready to convert. */
async function confirmedReferral(ctx: TestApp, referrerId: string): Promise<{ referralId: string; leadId: string }> {
  const r = await ctx.gql(ctx.adminToken, SUBMIT, { i: { referrerId, name: '被推荐人', phone: phone() } })
  const { referral, consentToken } = r.data.submitReferral
  const confirmed = await ctx.rest(null, 'POST', '/api/v1/public/referrals/consent', { token: consentToken, ...YES })
  if (confirmed.statusCode !== 200) throw new Error(`confirm: ${confirmed.body}`)
  const [{ lead_id: leadId }] = await ctx.sql<{ lead_id: string }>('select lead_id from referrals where id = $1', [referral.id])
  const q = await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code } } }', { id: leadId })
  if (q.data?.updateLeadStatus?.userErrors?.length !== 0) throw new Error(JSON.stringify(q))
  return { referralId: referral.id, leadId }
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test("the referrer's current state per purpose: GraphQL field (variables, inline), REST, its own token", async (t) => {
    const id = await referrer(ctx)
    for (const purpose of ['processing', 'marketing', 'third_party_sharing', 'cross_border']) {
      const r = await ctx.gql(ctx.adminToken, RECORD, { i: { referrerId: id, purpose, source: 'form', textVersion: `${purpose}-v1` } })
      t.same(r.data.recordConsent.userErrors, [], purpose)
    }
    const w = await ctx.gql(ctx.adminToken, WITHDRAW, { i: { referrerId: id, purpose: 'marketing', source: 'form' } })
    t.same(w.data.withdrawConsent.userErrors, [], 'withdrawal: one call')
    const state = await ctx.gql(ctx.adminToken, STATE, { id })
    const byPurpose = Object.fromEntries(state.data.referrer.consents.map((s: { purpose: string; granted: boolean }) => [s.purpose, s.granted]))
    t.same(byPurpose, { processing: true, marketing: false, third_party_sharing: true, cross_border: true })
    const inline = await ctx.gql(ctx.adminToken, `query { referrer(id: "${id}") { consents { purpose granted } } }`)
    t.equal(inline.data.referrer.consents.length, 4)
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrers/${id}/consents`)
    t.equal(rest.statusCode, 200)
    t.match(rest.json().find((s: { purpose: string }) => s.purpose === 'cross_border'), { channel: 'any', granted: true, source: 'form', textVersion: 'cross_border-v1' })
    const history = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/consents?referrerId=${id}&purpose=marketing`)
    t.same(history.json().data.map((r: { granted: boolean }) => r.granted), [false, true], 'history kept, newest first')
    const own = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: id })).json().accessToken
    const mine = await ctx.gql(own, STATE, { id })
    t.equal(mine.data.referrer.consents.length, 4, 'a referrer token reads its own state')
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrers/01900000-0000-7000-8000-0000000000ab/consents')).statusCode, 404)
    const other = await referrer(ctx)
    t.equal((await ctx.rest(own, 'GET', `/api/v1/referrers/${other}/consents`)).statusCode, 404, "another referrer's: not found")
  })

  await t.test('staff on behalf needs a note (record and withdraw, the default source), on both APIs', async (t) => {
    const id = await referrer(ctx)
    const noNote = await ctx.gql(ctx.adminToken, WITHDRAW, { i: { referrerId: id, purpose: 'marketing' } })
    t.same(noNote.data.withdrawConsent.userErrors, [{ field: 'note', code: 'REQUIRED' }], 'a withdrawal defaults to staff, which needs a note')
    const inline = await ctx.gql(ctx.adminToken, `mutation { recordConsent(input: { referrerId: "${id}", purpose: processing, source: staff }) { consent { id } userErrors { field code } } }`)
    t.same(inline.data.recordConsent.userErrors, [{ field: 'note', code: 'REQUIRED' }])
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents/withdrawals', { referrerId: id, purpose: 'marketing' })).statusCode, 400)
    const ok = await ctx.gql(ctx.adminToken, WITHDRAW, { i: { referrerId: id, purpose: 'marketing', note: '电话中本人要求停止营销联系' } })
    t.match(ok.data.withdrawConsent.consent, { granted: false, source: 'staff', note: '电话中本人要求停止营销联系' })
    const [n] = await ctx.sql<{ n: number }>('select count(*)::int as n from consent_records where referrer_id = $1', [id])
    t.equal(n.n, 1, 'the refused calls wrote nothing')
  })

  await t.test("a converted referral's double confirmation becomes the new customer's consent, in the conversion's transaction", async (t) => {
    const { referralId, leadId } = await confirmedReferral(ctx, await referrer(ctx))
    const r = await ctx.gql(ctx.adminToken, CONVERT, { id: leadId, i: { createOpportunity: false } })
    t.same(r.data.convertLead.userErrors, [])
    const customer = r.data.convertLead.customer
    t.match(customer.consents, [{ purpose: 'marketing', channel: 'any', granted: true, source: 'referral_confirmation' }])
    const [row] = await ctx.sql<{ referral_id: string; source: string; same_tx: boolean; occurred_at: Date; consented_at: Date }>(`
      select c.referral_id, c.source, c.recorded_at = cu.created_at as same_tx, c.occurred_at, r.consented_at
      from consent_records c join customers cu on cu.id = c.customer_id join referrals r on r.id = c.referral_id where c.customer_id = $1`, [customer.id])
    t.match(row, { referral_id: referralId, source: 'referral_confirmation', same_tx: true })
    t.equal(new Date(row.occurred_at).getTime(), new Date(row.consented_at).getTime(), 'when the person said it, not when it was converted')
  })

  await t.test('a failed conversion leaves no consent record; an existing customer with its own consent field still gains the referral answer', async (t) => {
    const { referralId, leadId } = await confirmedReferral(ctx, await referrer(ctx))
    const failed = await ctx.gql(ctx.adminToken, CONVERT, { id: leadId, i: { createOpportunity: false, customer: { ownerId: '01900000-0000-7000-8000-0000000000cd' } } })
    t.ok(failed.data?.convertLead?.userErrors?.length || failed.errors?.length, 'refused')
    const none = await ctx.sql('select 1 from consent_records where referral_id = $1', [referralId])
    t.equal(none.length, 0, 'rolled back with the conversion')
    const existing = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', {
      name: '老客户', consent: { granted: true, at: '2025-01-01T00:00:00Z', channel: 'phone', purpose: 'data processing' }
    })
    const ok = await ctx.gql(ctx.adminToken, CONVERT, { id: leadId, i: { createOpportunity: false, existingCustomerId: existing.json().id } })
    t.same(ok.data.convertLead.userErrors, [])
    const records = await ctx.sql<{ purpose: string; source: string }>('select purpose, source from consent_records where customer_id = $1 order by occurred_at', [existing.json().id])
    t.same(records, [{ purpose: 'processing', source: 'api' }, { purpose: 'marketing', source: 'referral_confirmation' }], 'both kept: the history is the record')
    const field = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${existing.json().id}`)
    t.match(field.json().consent, { purpose: 'data processing' }, "the customer's own field is untouched")
  })
})
