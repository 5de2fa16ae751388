import type { TestApp } from '../../helper.js'

/** What the referral suites select and call; shared so each file reads like the contract. */
export const REFERRAL = `id status rejectionReason rejectionDetail channel name phone email company note flaggedForReview flags
  consent { granted at channel purpose by ip } consentExpiresAt referrerId campaignId leadId customerId opportunityId
  submittedAt consentedAt qualifiedAt convertedAt rejectedAt purgedAt version`
export const SUBMIT = `mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { ${REFERRAL} } consentToken userErrors { field message code } } }`
export const CONFIRM = `mutation($t: String!, $i: ReferralConsentInput!) { confirmReferralConsent(token: $t, input: $i) { referral { ${REFERRAL} } userErrors { field message code } } }`
export const GET = `query($id: ID!) { referral(id: $id) { ${REFERRAL} } }`
export const YES = { granted: true, channel: 'sms_link', purpose: 'contact about our products', by: 'self' }
export const NO = { ...YES, granted: false }

export type Referral = { id: string; status: string; rejectionReason: string | null; rejectionDetail: string | null; phone: string | null; leadId: string | null; [k: string]: unknown }

let phones = 0
/** A fresh mainland mobile per call (per process), so suites never collide on a person. */
export function newPhone(): string {
  phones += 1
  return `137${String(process.pid % 10_000).padStart(4, '0')}${String(phones).padStart(4, '0')}`
}

export async function createReferrer(ctx: TestApp, input: Record<string, unknown> = {}, token = ctx.adminToken): Promise<{ id: string; code: string }> {
  const r = await ctx.gql(token, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id code } userErrors { field message code } } }',
    { i: { kind: 'partner', name: `推荐人 ${Math.random().toString(36).slice(2, 7)}`, ...input } })
  if (!r.data?.createReferrer?.referrer) throw new Error(`createReferrer failed: ${JSON.stringify(r)}`)
  return r.data.createReferrer.referrer
}

export async function submit(ctx: TestApp, token: string, input: Record<string, unknown>) {
  const r = await ctx.gql(token, SUBMIT, { i: input })
  if (!r.data?.submitReferral) throw new Error(`submitReferral failed: ${JSON.stringify(r)}`)
  return r.data.submitReferral as { referral: Referral | null; consentToken: string | null; userErrors: { field: string; code: string; message: string }[] }
}

export async function referrerToken(ctx: TestApp, referrerId: string): Promise<string> {
  const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId })
  if (res.statusCode !== 200) throw new Error(`referrer token: ${res.body}`)
  return res.json().accessToken
}

/** Outbox events about one referral, oldest first. */
export async function eventsOf(ctx: TestApp, referralId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  return ctx.sql('select type, data from outbox_events where entity_id = $1 order by id', [referralId])
}
