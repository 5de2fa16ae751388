import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { buildPerson, EXPORT, freshPhone, idsOf, restExport, type ExportDoc } from './support.js'

const KINDS = ['customers', 'referrers', 'referralsAsReferredPerson', 'referralsAsReferrer', 'leads', 'opportunities', 'activities', 'tasks',
  'orders', 'rewards', 'consents', 'tickets', 'ticketComments', 'surveyInvitations', 'surveyResponses', 'pointsAccounts', 'pointsEntries',
  'pointsRedemptions', 'coupons', 'couponRedemptions', 'memberLevelChanges', 'journeyEnrollments', 'messages', 'customerMerges']

await forEachDatabase(t, async (t, ctx) => {
  const person = await buildPerson(ctx)

  await t.test('finds every record of a person by phone, grouped by kind, with clear values and no sealed ones', async (t) => {
    const res = await restExport(ctx, { phone: `+86 ${person.phone.slice(0, 3)}-${person.phone.slice(3, 7)}-${person.phone.slice(7)}` })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const doc = res.json() as ExportDoc
    t.same(Object.keys(doc.records).sort(), [...KINDS].sort(), 'every kind present')
    t.same(doc.subject, { phone: person.phone }, 'the subject as normalised')
    t.ok(Date.parse(doc.generatedAt) > 0)
    const customers = doc.records.customers
    t.same(customers.map((c) => c.id).sort(), [person.customerId, person.deletedId, person.mergedId].sort(), 'the live, the soft-deleted and the merged-away customer')
    const live = customers.find((c) => c.id === person.customerId)!
    t.match(live, { phone: person.phone, email: person.email, address: '上海市徐汇区 1 号' }, 'clear values')
    t.ok(customers.find((c) => c.id === person.deletedId)!.deletedAt, 'the deleted one says so')
    t.equal(customers.find((c) => c.id === person.mergedId)!.mergedIntoId, person.customerId)
    t.same(doc.records.referrers.map((r) => r.id), [person.referrerId])
    t.equal(doc.records.referrers[0].phone, person.phone)
    t.equal(doc.records.referralsAsReferredPerson.length, 1, 'the referral of this person by someone else')
    t.equal(doc.records.referralsAsReferredPerson[0].phone, person.phone)
    t.notOk('sourceIp' in doc.records.referralsAsReferredPerson[0], "the submitter's IP is not the person's")
    t.equal(doc.records.referralsAsReferrer.length, 1, 'the referral this person made')
    const made = doc.records.referralsAsReferrer[0]
    t.equal(made.phone, `${person.thirdPartyPhone.slice(0, 3)}****${person.thirdPartyPhone.slice(-4)}`, "the referred person's phone is masked")
    t.equal(made.name, `${person.thirdPartyName[0]}**`, "and their name shortened")
    t.equal(doc.records.leads.length, 0, 'a lead with only the email is not found by phone')
    for (const kind of ['tasks', 'orders', 'consents', 'tickets', 'ticketComments', 'customerMerges']) t.equal(doc.records[kind].length, 1, kind)
    t.match(doc.records.orders[0], { customerId: person.customerId, amount: 12_800 })
    t.ok(doc.records.activities.some((a) => a.body === '客户来电咨询'), 'the call logged on the customer (and the ticket comment shared on its timeline)')
    t.match(doc.records.consents[0], { purpose: 'marketing', channel: 'sms', granted: true, textVersion: 'mkt-1' })
    t.same(doc.records.pointsAccounts.map((a) => a.customerId ?? a.referrerId).sort(), [person.customerId, person.referrerId].sort(), "the customer's and the referrer's points accounts")
    t.same(doc.records.pointsEntries.map((e) => e.amount).sort(), [100, 50].sort(), 'and their ledgers')
    t.same(doc.counts, Object.fromEntries(KINDS.map((k) => [k, doc.records[k].length])), 'counts match the records')
    const text = JSON.stringify(doc)
    t.notMatch(text, /"(phone|email)(Enc|Idx|Masked)"|"v1\.[A-Za-z0-9+/]{20,}/, 'no sealed value, blind index or mask')
    t.notMatch(text, /consentTokenHash|trackingTokenHash|tokenHash/, 'no token hash')
    t.notMatch(text, new RegExp(person.otherPersonId), "another person's records are not in it")
    t.notMatch(text, new RegExp(person.thirdPartyPhone), "the referred third party's phone is not in it")
  })

  await t.test('by email, customer id or referrer id: the same person (an id adds what its own phone and email find)', async (t) => {
    const byCustomer = (await restExport(ctx, { customerId: person.customerId.toUpperCase() })).json() as ExportDoc
    const byReferrer = (await restExport(ctx, { referrerId: person.referrerId })).json() as ExportDoc
    const byPhone = (await restExport(ctx, { phone: person.phone })).json() as ExportDoc
    t.same(idsOf(byReferrer), idsOf(byPhone), "the referrer id finds what the referrer's own phone finds")
    t.equal(byCustomer.records.leads.length, 1, "the customer's email finds the lead")
    t.same({ ...idsOf(byCustomer), leads: [] }, idsOf(byPhone), 'the phone finds all but the lead that holds only the email')
    const byEmail = (await restExport(ctx, { email: ` ${person.email.toUpperCase()} ` })).json() as ExportDoc
    t.same(byEmail.subject, { email: person.email })
    t.equal(byEmail.records.leads.length, 1)
    t.same(byEmail.records.customers.map((c) => c.id).sort(), [person.customerId, person.mergedId].sort(), 'the customer with the email and the one merged into it')
    t.same(byEmail.records.referrers.map((r) => r.id), [person.referrerId], 'the referrer linked to the customer')
    t.same(byEmail.records.referralsAsReferredPerson, [], 'the referral holds only the phone')
  })

  await t.test('GraphQL (variables and inline) answers the same document as REST', async (t) => {
    const rest = (await restExport(ctx, { customerId: person.customerId })).json() as ExportDoc
    const vars = await ctx.gql(ctx.adminToken, EXPORT, { s: { customerId: person.customerId, phone: null } })
    t.same(vars.data.personalDataExport.userErrors, [])
    const fromVars = vars.data.personalDataExport.export as ExportDoc
    t.same(idsOf(fromVars), idsOf(rest))
    t.same(fromVars.counts, rest.counts)
    t.equal(fromVars.records.customers.find((c) => c.id === person.customerId)!.phone, person.phone)
    t.not(fromVars.exportId, rest.exportId, 'each export is its own')
    const inline = await ctx.gql(ctx.adminToken, `mutation { personalDataExport(subject: { phone: "${person.phone}" }) { export { subject { phone } counts } userErrors { code } } }`)
    t.same(inline.data.personalDataExport.userErrors, [])
    t.equal(inline.data.personalDataExport.export.subject.phone, person.phone)
    t.equal(inline.data.personalDataExport.export.counts.customers, 3)
  })

  await t.test('Accept: application/x-ndjson streams a header line, then one record per line with its kind', async (t) => {
    const json = (await restExport(ctx, { customerId: person.customerId })).json() as ExportDoc
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { customerId: person.customerId }, { accept: 'application/x-ndjson' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/x-ndjson/)
    const lines = res.body.trim().split('\n').map((l) => JSON.parse(l))
    t.match(lines[0], { kind: 'export', subject: { customerId: person.customerId }, counts: json.counts })
    const total = Object.values(json.counts).reduce((a, b) => a + b, 0)
    t.equal(lines.length, total + 1, 'one line per record')
    const byKind: Record<string, unknown[]> = {}
    for (const line of lines.slice(1)) (byKind[line.kind] ??= []).push(line.record.id)
    for (const [kind, ids] of Object.entries(idsOf(json))) t.same(byKind[kind] ?? [], ids, kind)
    const json2 = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/exports', { customerId: person.customerId }, { accept: 'application/json, application/x-ndjson;q=0.5' })
    t.match(json2.headers['content-type'], /^application\/json/, 'JSON when the client prefers it')
  })

  await t.test('an unknown person: 200 and the same document with every list empty (not 404)', async (t) => {
    const unknownPhone = freshPhone()
    const res = await restExport(ctx, { phone: unknownPhone })
    t.equal(res.statusCode, 200)
    const doc = res.json() as ExportDoc
    t.same(Object.keys(doc.records).sort(), [...KINDS].sort())
    t.ok(Object.values(doc.records).every((l) => l.length === 0))
    t.ok(Object.values(doc.counts).every((c) => c === 0))
    const missingId = await ctx.gql(ctx.adminToken, EXPORT, { s: { referrerId: '01900000-0000-7000-8000-0000000000aa' } })
    t.same(missingId.data.personalDataExport.userErrors, [])
    t.equal(missingId.data.personalDataExport.export.records.referrers.length, 0)
  })
})
