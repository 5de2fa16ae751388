import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { createReferrer, newPhone } from './support.js'

const SUBMITTERS = 100

// Without consent each winner also creates its lead: the whole submission races.
await forEachDatabase(t, async (t, ctx) => {
  const referrers: { id: string }[] = []
  for (let i = 0; i < SUBMITTERS; i++) referrers.push(await createReferrer(ctx, { name: `Racer ${i}` }))
  const integration = await ctx.keyToken('integration')

  await t.test(`${SUBMITTERS} referrers submitting the same person at once: exactly one wins, ${SUBMITTERS - 1} are duplicates`, async (t) => {
    const phone = newPhone()
    const answers = await Promise.all(referrers.map((r, i) =>
      ctx.rest(integration, 'POST', '/api/v1/referrals', { referrerId: r.id, name: `Contested ${i}`, phone: i % 2 ? phone : `+86 ${phone}` })))
    t.same([...new Set(answers.map((a) => a.statusCode))], [201], 'every submission is recorded')
    const statuses = answers.map((a) => a.json() as { id: string; status: string; rejectionReason: string | null; referrerId: string })
    const winners = statuses.filter((s) => s.status !== 'rejected')
    t.equal(winners.length, 1, 'one accepted')
    t.equal(winners[0].status, 'submitted')
    t.equal(statuses.filter((s) => s.rejectionReason === 'duplicate').length, SUBMITTERS - 1, 'the rest rejected as duplicate')
    const claims = await ctx.sql<{ referral_id: string }>("select referral_id from referral_claims where contact_key like 'phone:%' and referral_id = any($1::uuid[])", [statuses.map((s) => s.id)])
    t.same(claims.map((c) => c.referral_id), [winners[0].id], 'the database holds one claim, the winner’s')
    const leads = await ctx.sql<{ referral_id: string }>('select referral_id from leads where referral_id = any($1::uuid[])', [statuses.map((s) => s.id)])
    t.same(leads.map((l) => l.referral_id), [winners[0].id], 'and one lead')
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false', DATABASE_POOL_SIZE: '20' })
