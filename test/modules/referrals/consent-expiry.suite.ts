import t from 'tap'
import { consentExpiryJob } from '../../../src/jobs/consent-expiry.job.js'
import { forEachDatabase } from '../../helper.js'
import { CONFIRM, createReferrer, eventsOf, GET, newPhone, NO, submit, YES } from './support.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

await forEachDatabase(t, async (t, ctx) => {
  const services = ctx.app.services
  const first = await createReferrer(ctx)
  const second = await createReferrer(ctx)

  await t.test('is the referral-consent-expiry job on CONSENT_EXPIRY_CRON', async (t) => {
    t.equal(consentExpiryJob.name, 'referral-consent-expiry')
    t.equal(consentExpiryJob.cron(ctx.app.config), '*/15 * * * *')
  })

  await t.test('rejects unanswered consent requests as expired once their TTL has passed, and releases the person', async (t) => {
    const phone = newPhone()
    const waiting = await submit(ctx, ctx.adminToken, { referrerId: first.id, name: 'Silent', phone })
    const answered = await submit(ctx, ctx.adminToken, { referrerId: first.id, name: 'Answered', phone: newPhone() })
    await ctx.gql(ctx.adminToken, CONFIRM, { t: answered.consentToken, i: YES })
    const submittedAt = Date.parse(waiting.referral!.consentExpiresAt as string) - 72 * HOUR

    t.match(await consentExpiryJob.run(services, new Date(submittedAt + 71 * HOUR)), { expired: 0 }, 'not before the TTL')
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: waiting.referral!.id })).data.referral.status, 'pending_consent')

    const later = new Date(submittedAt + 73 * HOUR)
    const pass = await consentExpiryJob.run(services, later)
    t.ok((pass as { expired: number }).expired >= 1)
    const expired = (await ctx.gql(ctx.adminToken, GET, { id: waiting.referral!.id })).data.referral
    t.match(expired, { status: 'rejected', rejectionReason: 'expired', rejectedAt: later.toISOString(), name: 'Silent' })
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: answered.referral!.id })).data.referral.status, 'submitted', 'answered referrals are untouched')
    t.same((await eventsOf(ctx, waiting.referral!.id)).map((e) => e.type), ['referral.consent_requested', 'referral.rejected'])
    t.match((await ctx.gql(ctx.adminToken, CONFIRM, { t: waiting.consentToken, i: YES })).errors, [{ extensions: { code: 'NOT_FOUND' } }], 'its token is dead')
    t.match(await consentExpiryJob.run(services, later), { expired: 0 }, 'a second pass finds nothing more')
    const next = await submit(ctx, ctx.adminToken, { referrerId: second.id, name: 'Silent', phone })
    t.equal(next.referral!.status, 'pending_consent', 'the person may be referred again')
  })

  await t.test('purges the personal fields of never-consented referrals REFERRAL_PURGE_AFTER_DAYS after rejection', async (t) => {
    const expiring = await submit(ctx, ctx.adminToken, { referrerId: first.id, name: 'Forget me', phone: newPhone(), email: 'forget@example.com', company: 'ACME', note: 'n' })
    const declining = await submit(ctx, ctx.adminToken, { referrerId: first.id, name: 'Declines', phone: newPhone() })
    const declinedAt = Date.now()
    await ctx.app.inject({ method: 'POST', url: '/api/v1/public/referrals/consent', payload: { token: declining.consentToken, ...NO }, remoteAddress: '10.9.9.9' })
    const expiredAt = new Date(Date.parse(expiring.referral!.consentExpiresAt as string) + HOUR)
    await consentExpiryJob.run(services, expiredAt)

    const early = await consentExpiryJob.run(services, new Date(declinedAt + 29 * DAY))
    t.match(early, { purged: 0 }, 'not within the retention (30 days)')
    const pass = await consentExpiryJob.run(services, new Date(Math.max(expiredAt.getTime(), declinedAt) + 31 * DAY)) as { purged: number }
    t.ok(pass.purged >= 2)
    for (const id of [expiring.referral!.id, declining.referral!.id]) {
      const r = (await ctx.gql(ctx.adminToken, GET, { id })).data.referral
      t.match(r, { status: 'rejected', name: null, phone: null, email: null, company: null, note: null })
      t.ok(r.purgedAt, 'purgedAt is set')
      const [row] = await ctx.sql<Record<string, unknown>>('select phone_enc, phone_idx, phone_masked, email_enc, source_ip from referrals where id = $1', [id])
      t.same(Object.values(row), [null, null, null, null, null], 'ciphertext, index and masked copy are gone')
    }
    const declined = (await ctx.gql(ctx.adminToken, GET, { id: declining.referral!.id })).data.referral
    t.match(declined.consent, { granted: false, ip: null }, 'the consent answer stays, without the address')
    const submitted = await ctx.sql<{ n: number }>("select count(*)::int as n from referrals where purged_at is not null and status <> 'rejected'")
    t.equal(submitted[0].n, 0, 'nothing else is purged')
  })
})
