import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { CONFIRM, createReferrer, eventsOf, GET, newPhone, NO, submit, YES } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const alpha = await createReferrer(ctx, { name: 'Alpha', phone: '13900000001', email: 'alpha@example.com' })
  const beta = await createReferrer(ctx, { name: 'Beta' })

  await t.test('a GraphQL submission waits for consent with a token shown once, and leaks no clear contact into events', async (t) => {
    const phone = newPhone()
    const r = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: '李四', phone: `+86 ${phone.slice(0, 3)}-${phone.slice(3)}`, company: '四通', note: '想了解产品' })
    t.same(r.userErrors, [])
    t.match(r.referral, { status: 'pending_consent', phone, channel: 'api', name: '李四', company: '四通', leadId: null, submittedAt: null, consent: null })
    t.match(r.consentToken, /^[\w-]{43}$/)
    const hours = (Date.parse(r.referral!.consentExpiresAt as string) - Date.now()) / 3_600_000
    t.ok(hours > 71.9 && hours <= 72, 'expires after REFERRAL_CONSENT_TTL_HOURS (72)')
    const [stored] = await ctx.sql<{ consent_token_hash: string; phone_enc: string }>('select consent_token_hash, phone_enc from referrals where id = $1', [r.referral!.id])
    t.not(stored.consent_token_hash, r.consentToken, 'only the hash is stored')
    t.notMatch(stored.phone_enc, phone, 'the phone is encrypted at rest')
    const events = await eventsOf(ctx, r.referral!.id)
    t.same(events.map((e) => e.type), ['referral.consent_requested'])
    const text = JSON.stringify(events)
    t.notMatch(text, phone, 'no clear phone in the event')
    t.notMatch(text, r.consentToken!, 'no token in the event')
    t.match(text, `${phone.slice(0, 3)}****${phone.slice(7)}`)
  })

  await t.test('granting consent records it, submits the referral and creates its lead; the token is single-use', async (t) => {
    const phone = newPhone()
    const { referral, consentToken } = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: '王五', phone })
    const c = await ctx.gql(ctx.adminToken, CONFIRM, { t: consentToken, i: YES })
    t.same(c.data.confirmReferralConsent.userErrors, [])
    const after = c.data.confirmReferralConsent.referral
    t.match(after, { id: referral!.id, status: 'submitted', consent: { granted: true, channel: 'sms_link', purpose: YES.purpose, by: 'self' } })
    t.ok(after.consentedAt && after.submittedAt && after.leadId)
    const lead = await ctx.gql(ctx.adminToken, 'query($id: ID!) { lead(id: $id) { source name phone referralId referrerId referral { id status } } }', { id: after.leadId })
    t.same(lead.data.lead, { source: 'referral', name: '王五', phone, referralId: referral!.id, referrerId: alpha.id, referral: { id: referral!.id, status: 'submitted' } })
    t.same((await eventsOf(ctx, referral!.id)).map((e) => e.type), ['referral.consent_requested', 'referral.consented', 'referral.submitted'])
    const again = await ctx.gql(ctx.adminToken, CONFIRM, { t: consentToken, i: YES })
    t.match(again.errors, [{ extensions: { code: 'NOT_FOUND' } }], 'a used token is unknown')
  })

  await t.test('a REST submission by referral code; declining consent rejects it and releases the person', async (t) => {
    const phone = newPhone()
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referralCode: alpha.code.toLowerCase(), name: 'REST person', phone, channel: 'link' })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.equal(res.headers.location, `/api/v1/referrals/${body.id}`)
    t.match(body, { status: 'pending_consent', referrerId: alpha.id, channel: 'link', phone })
    t.ok(body.consentToken)
    const declined = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals/consent', { token: body.consentToken, ...NO })
    t.equal(declined.statusCode, 200)
    t.match(declined.json(), { status: 'rejected', rejectionReason: 'consent_declined', consent: { granted: false } })
    t.ok(declined.json().rejectedAt)
    const next = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'REST person', phone })
    t.equal(next.referral!.status, 'pending_consent', 'another referrer may now refer the person')
  })

  await t.test('rejects a second referral of the same person as duplicate, by phone or by email, first referrer keeping it', async (t) => {
    const phone = newPhone()
    const first = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Dup', phone, email: 'dup@example.com' })
    const byPhone = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'Dup', phone: `0086 ${phone}` })
    t.match(byPhone.referral, { status: 'rejected', rejectionReason: 'duplicate', rejectionDetail: new RegExp(`another referrer.*referral ${first.referral!.id}`) })
    t.equal(byPhone.consentToken, null)
    const byEmail = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: beta.id, name: 'Dup', email: ' DUP@example.com ' })
    t.equal(byEmail.statusCode, 201, 'a rejection is recorded, not refused')
    t.match(byEmail.json(), { status: 'rejected', rejectionReason: 'duplicate', rejectionDetail: /email/ })
    t.notOk(byEmail.json().consentToken)
    const own = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Dup', phone })
    t.match(own.referral, { rejectionReason: 'duplicate', rejectionDetail: /this referrer/ })
    t.same((await eventsOf(ctx, byPhone.referral!.id)).map((e) => e.type), ['referral.rejected'])
  })

  await t.test('rejects an existing customer as already_customer', async (t) => {
    const phone = newPhone()
    const c = await ctx.gql(ctx.adminToken, 'mutation($p: String!) { createCustomer(input: { name: "Known", phone: $p }) { customer { id } } }', { p: phone })
    const r = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Known', phone })
    t.match(r.referral, { status: 'rejected', rejectionReason: 'already_customer', rejectionDetail: new RegExp(`customer ${c.data.createCustomer.customer.id}`) })
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals/${r.referral!.id}`)
    t.match(rest.json(), { rejectionReason: 'already_customer' })
  })

  await t.test('rejects self-referral: the referrer’s own phone or email, or the customer it is', async (t) => {
    const own = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Me', phone: '139-0000-0001' })
    t.match(own.referral, { status: 'rejected', rejectionReason: 'self_referral', rejectionDetail: /referrer's own/ })
    const ownEmail = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: alpha.id, name: 'Me', email: 'Alpha@Example.com' })
    t.match(ownEmail.json(), { status: 'rejected', rejectionReason: 'self_referral' })
    const phone = newPhone()
    const c = await ctx.gql(ctx.adminToken, 'mutation($p: String!) { createCustomer(input: { name: "Customer referrer", phone: $p }) { customer { id } } }', { p: phone })
    const asCustomer = await createReferrer(ctx, { kind: 'customer', name: 'Customer referrer', customerId: c.data.createCustomer.customer.id })
    const r = await submit(ctx, ctx.adminToken, { referrerId: asCustomer.id, name: 'Me again', phone })
    t.match(r.referral, { rejectionReason: 'self_referral', rejectionDetail: /customer the referrer is/ })
  })

  await t.test('refuses unusable input as userErrors (400 in REST) and stores nothing', async (t) => {
    const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n
    t.match((await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Bad', phone: '12345' })).userErrors, [{ field: 'phone', code: 'INVALID_PHONE' }])
    t.match((await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Nobody' })).userErrors, [{ field: 'phone', code: 'REQUIRED' }])
    t.match((await submit(ctx, ctx.adminToken, { name: 'No referrer', phone: newPhone() })).userErrors, [{ field: 'referrerId', code: 'REQUIRED' }])
    t.match((await submit(ctx, ctx.adminToken, { referralCode: 'NOSUCHCODE', name: 'x', phone: newPhone() })).userErrors, [{ field: 'referralCode', code: 'UNKNOWN_REFERRER' }])
    t.match((await submit(ctx, ctx.adminToken, { referrerId: alpha.id, campaignId: '01900000-0000-7000-8000-000000000000', name: 'x', phone: newPhone() })).userErrors,
      [{ field: 'campaignId', code: 'UNKNOWN_CAMPAIGN' }])
    const suspended = await createReferrer(ctx, { status: 'suspended' })
    t.match((await submit(ctx, ctx.adminToken, { referrerId: suspended.id, name: 'x', phone: newPhone() })).userErrors, [{ field: 'referrerId', code: 'INACTIVE_REFERRER' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: alpha.id, name: 'Bad', phone: '12345' })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'phone', code: 'INVALID_PHONE' }] })
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: alpha.id, name: 'x', phone: newPhone(), status: 'converted' })).statusCode, 400, 'unknown fields are refused')
    t.equal((await ctx.sql<{ n: number }>('select count(*)::int as n from referrals'))[0].n, before)
  })

  await t.test('an expired consent request cannot be answered (422) and a new token replaces a lost one', async (t) => {
    const { referral, consentToken } = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Late', phone: newPhone() })
    const reissue = 'mutation($id: ID!) { issueReferralConsentToken(id: $id) { token expiresAt userErrors { field code } } }'
    const fresh = (await ctx.gql(ctx.adminToken, reissue, { id: referral!.id })).data.issueReferralConsentToken
    t.ok(fresh.token)
    t.equal(fresh.expiresAt, referral!.consentExpiresAt, 'the expiry stays')
    t.match((await ctx.gql(ctx.adminToken, CONFIRM, { t: consentToken, i: YES })).errors, [{ extensions: { code: 'NOT_FOUND' } }], 'the old token stopped working')
    await ctx.sql("update referrals set consent_expires_at = now() - interval '1 minute' where id = $1", [referral!.id])
    const late = await ctx.gql(ctx.adminToken, CONFIRM, { t: fresh.token, i: YES })
    t.match(late.data.confirmReferralConsent.userErrors, [{ field: 'token', code: 'CONSENT_EXPIRED' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals/consent', { token: fresh.token, ...YES })
    t.equal(rest.statusCode, 422)
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: referral!.id })).data.referral.status, 'pending_consent', 'nothing changed')
    const restReissue = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/referrals/${referral!.id}/consent-token`)
    t.equal(restReissue.statusCode, 422, 'no token for an expired request')
  })

  await t.test('managers qualify a submitted referral and reject one that is not final; the table refuses the rest', async (t) => {
    const manager = await ctx.staff('manager')
    const qualify = 'mutation($id: ID!, $v: Int) { qualifyReferral(id: $id, expectedVersion: $v) { referral { status qualifiedAt version } userErrors { field code message } } }'
    const reject = 'mutation($id: ID!, $r: ManualReferralRejectionReason!, $d: String) { rejectReferral(id: $id, reason: $r, detail: $d) { referral { status rejectionReason rejectionDetail } userErrors { field code } } }'
    const pending = await submit(ctx, ctx.adminToken, { referrerId: alpha.id, name: 'Pending', phone: newPhone() })
    t.match((await ctx.gql(manager.token, qualify, { id: pending.referral!.id })).data.qualifyReferral.userErrors, [{ code: 'INVALID_TRANSITION', message: /not consented/ }])
    const c = await ctx.gql(ctx.adminToken, CONFIRM, { t: pending.consentToken, i: YES })
    const version = c.data.confirmReferralConsent.referral.version
    const stale = await ctx.rest(manager.token, 'POST', `/api/v1/referrals/${pending.referral!.id}/qualify`, undefined, { 'if-match': `"${version - 1}"` })
    t.equal(stale.statusCode, 412)
    const q = await ctx.gql(manager.token, qualify, { id: pending.referral!.id, v: version })
    t.match(q.data.qualifyReferral, { referral: { status: 'qualified' }, userErrors: [] })
    t.ok(q.data.qualifyReferral.referral.qualifiedAt)
    const r = await ctx.gql(manager.token, reject, { id: pending.referral!.id, r: 'invalid', d: 'number is unreachable' })
    t.match(r.data.rejectReferral, { referral: { status: 'rejected', rejectionReason: 'invalid', rejectionDetail: 'number is unreachable' }, userErrors: [] })
    t.match((await ctx.gql(manager.token, reject, { id: pending.referral!.id, r: 'duplicate' })).data.rejectReferral.userErrors, [{ code: 'INVALID_TRANSITION' }], 'rejected is final')
    const restReject = await ctx.rest(manager.token, 'POST', `/api/v1/referrals/${pending.referral!.id}/qualify`)
    t.equal(restReject.statusCode, 422)
    const sales = await ctx.staff('sales', { teamId: await ctx.createTeam() })
    const other = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'Other', phone: newPhone() })
    t.match((await ctx.gql(sales.token, reject, { id: other.referral!.id, r: 'invalid' })).errors, [{ extensions: { code: 'FORBIDDEN' } }], 'sales may not reject')
    const viaRest = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'REST qualified', phone: newPhone() })
    const consented = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals/consent', { token: viaRest.consentToken, ...YES })
    t.match(consented.json(), { status: 'submitted' })
    const restQualified = await ctx.rest(manager.token, 'POST', `/api/v1/referrals/${viaRest.referral!.id}/qualify`, undefined, { 'if-match': consented.headers.etag as string })
    t.equal(restQualified.statusCode, 200)
    t.match(restQualified.json(), { status: 'qualified', version: consented.json().version + 1 })
    t.equal(restQualified.headers.etag, `"${consented.json().version + 1}"`)
    const restBad = await ctx.rest(manager.token, 'POST', `/api/v1/referrals/${other.referral!.id}/reject`, { reason: 'expired' })
    t.equal(restBad.statusCode, 400, 'expired is not a reason a manager gives')
    const restOk = await ctx.rest(manager.token, 'POST', `/api/v1/referrals/${other.referral!.id}/reject`, { reason: 'duplicate' })
    t.match(restOk.json(), { status: 'rejected', rejectionReason: 'duplicate' })
    t.same((await eventsOf(ctx, other.referral!.id)).map((e) => e.type), ['referral.consent_requested', 'referral.rejected'])
  })

  await t.test('audits each submission with the checks that decided it; a taken externalId is a CONFLICT', async (t) => {
    const r = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'Audited', phone: newPhone(), externalId: 'ERP-REF-1' })
    const [entry] = await ctx.sql<{ action: string; actor_type: string; changes: { checks: { check: string; passed: boolean }[]; phone: string } }>(
      "select action, actor_type, changes from audit_entries where entity_id = $1 and action like 'referral.%'", [r.referral!.id])
    t.match(entry, { action: 'referral.consent_requested', actor_type: 'api_key' })
    t.same(entry.changes.checks.map((c) => c.check), ['velocity', 'invalid', 'self_referral', 'already_customer', 'duplicate'])
    t.match(entry.changes.phone, /^\d{3}\*{4}\d{4}$/, 'masked in the audit trail')
    const again = await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'Audited twice', phone: newPhone(), externalId: 'ERP-REF-1' })
    t.match(again.userErrors, [{ field: 'externalId', code: 'TAKEN' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrals', { referrerId: beta.id, name: 'x', phone: newPhone(), externalId: 'ERP-REF-1' })
    t.equal(rest.statusCode, 409)
  })

  await t.test('lists and filters referrals over GraphQL and REST', async (t) => {
    const list = await ctx.gql(ctx.adminToken, 'query($r: ID!) { referrals(first: 200, filter: { referrerId: $r, status: [rejected] }) { totalCount edges { node { referrerId status } } } }', { r: beta.id })
    t.ok(list.data.referrals.totalCount >= 2)
    t.ok(list.data.referrals.edges.every((e: { node: { referrerId: string; status: string } }) => e.node.referrerId === beta.id && e.node.status === 'rejected'))
    const phone = newPhone()
    await submit(ctx, ctx.adminToken, { referrerId: beta.id, name: 'Searchable Person', phone })
    const byPhone = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals?search=${encodeURIComponent(`+86 ${phone}`)}`)
    t.equal(byPhone.statusCode, 200)
    t.same(byPhone.json().data.map((r: { name: string }) => r.name), ['Searchable Person'])
    const byName = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/referrals?search=searchable&limit=1&status=pending_consent')
    t.same(byName.json().data.map((r: { name: string }) => r.name), ['Searchable Person'])
  })
})
