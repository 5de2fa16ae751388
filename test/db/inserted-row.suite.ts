import t from 'tap'
import { uuidv7 } from 'uuidv7'
import { eq } from 'drizzle-orm'
import { leads } from '../../src/db/schema/leads.js'
import { referrals } from '../../src/db/schema/referrals.js'
import { insertedRow } from '../../src/db/statement.js'
import type { Test as Tap } from 'tap'
import { forEachDatabase, type TestApp } from '../helper.js'

// Hot writes (a referral and its lead) do not read their row back: they take it to be
// what `insertedRow` says the insert made. Here that is held against a real read-back.

const SUBMISSION = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { ...R } consentToken userErrors { code message } } }'
const FIELDS = `fragment R on Referral { id externalId status rejectionReason rejectionDetail channel name phone email company industry region note
  flaggedForReview flags consentExpiresAt referrerId campaignId leadId customerId opportunityId submittedAt consentedAt qualifiedAt
  convertedAt rejectedAt purgedAt version createdAt updatedAt }`

await forEachDatabase(t, async (t, ctx) => {
  const { db } = ctx.app.database
  const referrer = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Row Check' })).json()

  await t.test('a referral with only what a submission writes reads back as insertedRow says', async (t) => {
    const values = {
      id: uuidv7(), createdAt: new Date('2026-03-01T08:00:00.123Z'), updatedAt: new Date('2026-03-01T08:00:00.123Z'),
      referrerId: referrer.id, channel: 'api' as const, name: 'Row Person', status: 'submitted' as const, submittedAt: new Date('2026-03-01T08:00:00.123Z')
    }
    await db.insert(referrals).values(values)
    const [stored] = await db.select().from(referrals).where(eq(referrals.id, values.id))
    t.same(insertedRow(referrals)(values), stored)
    t.strictSame(Object.keys(insertedRow(referrals)(values)).sort(), Object.keys(stored).sort())
  })

  await t.test('a lead with arrays and JSON left to their defaults reads back as insertedRow says', async (t) => {
    const values = {
      id: uuidv7(), source: 'referral', name: 'Row Lead', createdAt: new Date('2026-03-01T09:00:00.456Z'),
      updatedAt: new Date('2026-03-01T09:00:00.456Z'), referrerId: referrer.id
    }
    await db.insert(leads).values(values)
    const [stored] = await db.select().from(leads).where(eq(leads.id, values.id))
    const made = insertedRow(leads)(values)
    t.same(made, stored)
    t.strictSame(made.tags, [])
    t.strictSame(made.attributes, {})
    t.not(made.attributes, insertedRow(leads)(values).attributes, 'each row gets its own default object')
  })

  await t.test('a default only the database knows must be given', async (t) => {
    t.throws(() => insertedRow(leads)({ id: uuidv7(), source: 'x', name: 'No times' }), /createdAt: a value is required/)
  })

  await freshRead(t, ctx, referrer.id, 'consent required: the referral waits, no lead yet')
})

// Consent off: the lead is created and the referral linked to it in the same statement.
await forEachDatabase(t, async (t, ctx) => {
  const referrer = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Row Check' })).json()
  await freshRead(t, ctx, referrer.id, 'consent off: the referral is linked to its new lead')
}, { REFERRAL_CONSENT_REQUIRED: 'false' })

async function freshRead(t: Tap, ctx: TestApp, referrerId: string, name: string): Promise<void> {
  await t.test(`submitReferral answers what a fresh read answers (${name})`, async (t) => {
    const r = await ctx.gql(ctx.adminToken, `${SUBMISSION} ${FIELDS}`, {
      i: { referrerId, name: 'Fresh Read', phone: '13912340001', email: 'fresh@example.com', company: 'Acme', industry: 'retail', region: 'east', note: 'call after 5' }
    })
    t.notOk(r.errors, JSON.stringify(r.errors))
    const answered = r.data.submitReferral.referral
    t.ok(answered?.id, 'the referral is answered')
    const read = await ctx.gql(ctx.adminToken, `query($id: ID!) { referral(id: $id) { ...R } } ${FIELDS}`, { id: answered.id })
    t.strictSame(read.data.referral, answered)
  })
}
