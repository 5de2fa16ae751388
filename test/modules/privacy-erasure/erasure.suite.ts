import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { WebhookReceiver } from '../../support/webhook-receiver.js'
import { ERASE, newPhone, scan } from './support.js'

const ok = async (ctx: TestApp, token: string, query: string, variables: Record<string, unknown>, field: string) => {
  const r = await ctx.gql(token, query, variables)
  const p = r.data?.[field]
  if (!p || (Array.isArray(p.userErrors) && p.userErrors.length > 0)) throw new Error(`${field} failed: ${JSON.stringify(r)}`)
  return p
}

/** A report's JSON without the moment it was made (times of the run, not of the data). */
const stable = (v: unknown): unknown => Array.isArray(v) ? v.map(stable)
  : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !/^(generatedAt|asOf|computedAt)$/.test(k)).map(([k, x]) => [k, stable(x)])) : v

const REPORTS = ['kpis', 'referrer-leaderboard', 'referral-funnel', 'sales-performance', 'pipeline', 'loyalty', 'service-satisfaction']

/** What must not move: reports, reward and order sums, counts. */
async function totals(ctx: TestApp) {
  const reports: Record<string, unknown> = {}
  for (const name of REPORTS) {
    const r = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/analytics/${name}?from=2020-01-01&to=2030-01-01`)
    reports[name] = r.statusCode === 200 ? stable(r.json()) : r.statusCode
  }
  const [sums] = await ctx.sql(`select (select coalesce(sum(amount), 0)::text from rewards) as rewards, (select count(*)::int from rewards) as reward_rows,
    (select coalesce(sum(amount), 0)::text from orders) as orders, (select count(*)::int from orders) as order_rows,
    (select count(*)::int from customers) as customers, (select count(*)::int from referrals) as referrals, (select count(*)::int from leads) as leads,
    (select count(*)::int from activities) as activities, (select count(*)::int from tickets) as tickets, (select count(*)::int from audit_entries where action <> 'privacy.erased') as audits`)
  const gql = await ctx.gql(ctx.adminToken, '{ customers { totalCount } referrals { totalCount } leads { totalCount } rewards { totalCount } }')
  return { reports, sums, gql: gql.data }
}

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const erp = await ctx.keyToken('integration')
  const receiver = new WebhookReceiver()
  const url = await receiver.start()
  t.teardown(() => receiver.stop())
  // The receiver answers with what it got: the delivery log's response excerpt holds the person's values too.
  receiver.answer = (r) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: r.body.slice(0, 400) })
  await ok(ctx, admin, 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { webhookEndpoint { id } userErrors { field message code } } }', { i: { url } }, 'createWebhookEndpoint')
  await ok(ctx, admin, 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id } userErrors { field code message } } }',
    { i: { name: '10% of orders', trigger: 'order_paid', calc: 'percentage', percentBp: 1000, rewardType: 'cash' } }, 'createIncentiveRule')
  const referrer = (await ok(ctx, admin, 'mutation { createReferrer(input: { kind: partner, name: "推荐人乙" }) { referrer { id } userErrors { code } } }', {}, 'createReferrer')).referrer.id

  // The person: referred with consent, converted, buying, called, writing in; and someone else who stays.
  const phone = newPhone()
  const email = `erase.me.${phone}@example.com`
  const name = '删除测试人甲'
  const submitted = await ok(ctx, admin, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status leadId } consentToken userErrors { field code message } } }',
    { i: { referrerId: referrer, name, phone: `+86 ${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`, email, company: '甲公司', note: `请打 ${phone}` } }, 'submitReferral')
  const referralId = submitted.referral.id
  if (submitted.consentToken) {
    await ok(ctx, admin, 'mutation($t: String!, $i: ReferralConsentInput!) { confirmReferralConsent(token: $t, input: $i) { referral { id } userErrors { field code message } } }',
      { t: submitted.consentToken, i: { granted: true, channel: 'sms_link', purpose: 'contact', by: 'self' } }, 'confirmReferralConsent')
  }
  const [{ lead_id: leadId }] = await ctx.sql<{ lead_id: string }>('select lead_id::text from referrals where id = $1', [referralId])
  await ok(ctx, admin, 'mutation($id: ID!) { updateLeadStatus(id: $id, status: qualified) { userErrors { code message field } } }', { id: leadId }, 'updateLeadStatus')
  const converted = await ctx.rest(admin, 'POST', `/api/v1/leads/${leadId}/convert`, { createOpportunity: false })
  t.equal(converted.statusCode, 200, converted.body)
  const customerId = converted.json().customer.id as string
  const patched = await ctx.rest(admin, 'PATCH', `/api/v1/customers/${customerId}`, { address: '北京市朝阳区删除路1号', externalId: `ERP-ERASE-${phone}` }, { 'idempotency-key': `erase-${phone}` })
  t.equal(patched.statusCode, 200, patched.body)
  await ok(ctx, admin, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { field code message } } }',
    { i: { kind: 'call', customerId, subject: `回电 ${name}`, body: `客户说新号码还是 ${phone}，邮箱 ${email}` } }, 'logActivity')
  await ok(ctx, erp, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { customerId, externalId: `SO-${phone}`, amount: { amount: 50_000 } } }, 'recordOrder')
  await ok(ctx, admin, 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } userErrors { field code message } } }',
    { i: { customerId, channel: 'wechat', category: 'repair', subject: `${name} 的空调`, description: `联系电话 ${phone}` } }, 'createTicket')
  const keep = await ok(ctx, admin, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { field code message } } }',
    { i: { name: '保留客户丙', phone: newPhone(), email: 'keep.me@example.com' } }, 'createCustomer')
  await ok(ctx, erp, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { customerId: keep.customer.id, amount: { amount: 7_000 } } }, 'recordOrder')
  const svc = ctx.app.services.webhookDeliveries
  await svc.dispatch(new Date())
  t.ok(await svc.deliverDue(new Date()) > 0, 'deliveries were sent')
  const [attempts] = await ctx.sql<{ n: number }>('select count(*)::int as n from webhook_attempts where strpos(response_excerpt, $1) > 0', [phone])
  t.ok(attempts.n > 0, 'a webhook response excerpt holds the phone before erasure')

  // The values to look for afterwards, collected through the API and the raw tables.
  const sealed = await ctx.sql<Record<string, string | null>>(`select phone_enc, phone_idx, email_enc, email_idx, phone_masked from customers where id = $1
    union all select phone_enc, phone_idx, email_enc, email_idx, phone_masked from referrals where id = $2
    union all select phone_enc, phone_idx, email_enc, email_idx, phone_masked from leads where id = $3`, [customerId, referralId, leadId])
  const secrets = [...new Set(sealed.flatMap((r) => [r.phone_enc, r.phone_idx, r.email_enc, r.email_idx]).filter((v): v is string => !!v))]
  t.ok(secrets.length >= 4, 'ciphertexts and blind indexes collected')
  const clear = [phone, email, name, '北京市朝阳区删除路1号']
  t.ok((await scan(ctx, [phone, email, name])).length > 5, 'before: the person is in many places')
  const before = await totals(ctx)
  const keptBefore = await ctx.sql('select name, phone_enc, phone_idx, email_enc from customers where id = $1', [keep.customer.id])

  await t.test('erasePersonalData by phone destroys the person everywhere, in one answer', async (t) => {
    const r = await ctx.gql(admin, ERASE, { i: { subject: { phone }, reason: 'PIPL art. 47 request 2025-031' } })
    t.notOk(r.errors, JSON.stringify(r.errors))
    t.same(r.data.erasePersonalData.userErrors, [])
    const e = r.data.erasePersonalData.erasure
    t.same(e.customerIds, [customerId])
    t.same(e.referralIds, [referralId])
    t.same(e.leadIds, [leadId])
    t.same(e.referrerIds, [])
    t.ok(e.copiesErased > 0, 'copies were swept')
  })

  await t.test('no clear, sealed or indexed value of the person remains in any text column of any table', async (t) => {
    t.same(await scan(ctx, [...clear, ...secrets]), [])
    const [audit] = await ctx.sql<{ n: number }>("select count(*)::int as n from audit_entries where entity_id = $1 and action = 'customer.created' or entity_id = $1 and action = 'customer.updated'", [customerId])
    t.ok(audit.n >= 1, 'the audit entries about the customer are still there')
    const [erased] = await ctx.sql<{ changes: Record<string, unknown> }>("select changes from audit_entries where action = 'privacy.erased'")
    t.match(erased.changes, { source: 'request', reason: 'PIPL art. 47 request 2025-031', customerIds: [customerId] })
    const [event] = await ctx.sql<{ data: Record<string, unknown> }>("select data from outbox_events where type = 'privacy.erased'")
    t.match(event.data, { erasure: { customerIds: [customerId], referralIds: [referralId], leadIds: [leadId] } })
  })

  await t.test('totals, reports, reward and order sums are what they were', async (t) => {
    t.same(await totals(ctx), before)
    t.same(await ctx.sql('select name, phone_enc, phone_idx, email_enc from customers where id = $1', [keep.customer.id]), keptBefore, 'another customer is untouched')
  })

  await t.test('a search by the erased phone or email finds nothing; the record answers with the placeholder', async (t) => {
    for (const list of ['customers', 'referrals', 'leads']) {
      for (const v of [phone, email]) {
        const r = await ctx.gql(admin, `query($s: String) { ${list}(filter: { search: $s }) { totalCount } }`, { s: v })
        if (r.errors) { t.comment(`${list} has no search filter: ${r.errors[0].message}`); continue }
        t.equal(r.data[list].totalCount, 0, `${list} by ${v}`)
      }
    }
    const rest = await ctx.rest(admin, 'GET', `/api/v1/customers?search=${phone}`)
    t.same(rest.json().data, [])
    const c = await ctx.gql(admin, 'query($id: ID!) { customer(id: $id) { name phone email address } }', { id: customerId })
    t.same(c.data.customer, { name: '已删除 / erased', phone: null, email: null, address: null })
  })
}, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
