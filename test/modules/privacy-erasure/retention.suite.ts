import t from 'tap'
import { privacyRetentionJob } from '../../../src/jobs/privacy-retention.job.js'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { newPhone, scan } from './support.js'

const DAY = 86_400_000

async function ok(ctx: TestApp, query: string, variables: Record<string, unknown>, field: string) {
  const r = await ctx.gql(ctx.adminToken, query, variables)
  const p = r.data?.[field]
  if (!p || (Array.isArray(p.userErrors) && p.userErrors.length > 0)) throw new Error(`${field} failed: ${JSON.stringify(r)}`)
  return p
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('the retention job erases soft-deleted customers after their period and rejected referrals after theirs, audited; live records stay', async (t) => {
    const gonePhone = newPhone(), livePhone = newPhone(), refPhone = newPhone()
    const gone = (await ok(ctx, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id version } userErrors { code } } }',
      { i: { name: '已注销客户', phone: gonePhone, externalId: 'RET-GONE-1', address: '上海市某路9号' } }, 'createCustomer')).customer
    const live = (await ok(ctx, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }',
      { i: { name: '在用客户', phone: livePhone } }, 'createCustomer')).customer
    await ok(ctx, 'mutation($id: ID!) { deleteCustomer(id: $id) { userErrors { code } } }', { id: gone.id }, 'deleteCustomer')
    const referrer = (await ok(ctx, 'mutation { createReferrer(input: { kind: partner, name: "推荐人" }) { referrer { id } userErrors { code } } }', {}, 'createReferrer')).referrer.id
    const referral = (await ok(ctx, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } userErrors { code message } } }',
      { i: { referrerId: referrer, name: '被拒绝的人', phone: refPhone } }, 'submitReferral')).referral.id
    await ok(ctx, 'mutation($id: ID!) { rejectReferral(id: $id, reason: invalid, detail: "wrong number") { referral { id } userErrors { code } } }', { id: referral }, 'rejectReferral')
    // The same phone as a live customer's, on a referral rejected as already_customer: the customer keeps it.
    const dupe = (await ok(ctx, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status } userErrors { code message } } }',
      { i: { referrerId: referrer, name: '在用客户', phone: livePhone } }, 'submitReferral')).referral
    const [liveBefore] = await ctx.sql('select name, phone_enc, phone_idx from customers where id = $1', [live.id])

    t.same(await privacyRetentionJob.run(ctx.app.services, new Date(Date.now() + 10 * DAY)), { rejectedReferrals: 0, deletedCustomers: 0, deletedReferrers: 0, deletedLeads: 0 }, 'nothing is due before its period')
    const [{ n: stillThere }] = await ctx.sql<{ n: number }>('select count(*)::int as n from customers where id = $1 and phone_idx is not null', [gone.id])
    t.equal(stillThere, 1)

    const outcome = await privacyRetentionJob.run(ctx.app.services, new Date(Date.now() + 91 * DAY))
    t.match(outcome, { deletedCustomers: 1 })
    t.ok((outcome as Record<string, number>).rejectedReferrals >= (dupe.status === 'rejected' ? 2 : 1), 'the rejected referrals')
    t.same(await scan(ctx, [gonePhone, refPhone, '已注销客户', '被拒绝的人', '上海市某路9号']), [], 'no trace of the erased values in any table')
    t.same((await ctx.sql('select name, phone_enc, phone_idx from customers where id = $1', [live.id]))[0], liveBefore, 'the live customer keeps its data, though a rejected referral shared its phone')
    const audits = await ctx.sql<{ changes: { source: string; customerIds: string[]; referralIds: string[] } }>("select changes from audit_entries where action = 'privacy.erased'")
    t.ok(audits.some((a) => a.changes.source === 'retention' && a.changes.customerIds.includes(gone.id)), 'the erasure of the deleted customer is audited')
    t.ok(audits.some((a) => a.changes.referralIds.includes(referral)), 'and the rejected referral')
    t.same(await privacyRetentionJob.run(ctx.app.services, new Date(Date.now() + 92 * DAY)), { rejectedReferrals: 0, deletedCustomers: 0, deletedReferrers: 0, deletedLeads: 0 }, 'a second run finds nothing more')

    // A deleted customer's phone no longer brings it back: its externalId is retired.
    const back = await ctx.rest(ctx.adminToken, 'PUT', '/api/v1/customers/by-external-id/RET-GONE-1', { name: 'Back', phone: gonePhone })
    t.equal(back.statusCode, 409)
    t.match(back.json().errors, [{ code: 'ERASED' }])
  })
})
