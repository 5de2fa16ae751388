import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { REFUND } from '../orders/support.js'
import { apply, createWorld } from './funnel-data.js'

/** The worked example of docs/analytics.md ("Referral funnel"), figure for figure. */
await forEachDatabase(t, async (t, ctx) => {
  const world = await createWorld(ctx)
  await apply(ctx, world, [
    ...[0, 1, 2].map(() => ({ kind: 'submit' as const, referrer: 0, channel: 'api', campaign: 2 })),
    { kind: 'advance', target: 0, depth: 6 }, { kind: 'advance', target: 1, depth: 4 }, { kind: 'advance', target: 2, depth: 1 }
  ])
  const [a, b, c] = world.made.map((m) => m.id)
  t.same((await ctx.gql(ctx.adminToken, REFUND, { i: { orderId: world.orders[0], amount: { amount: 5000 } } })).data.refundOrder.userErrors, [])
  const at = (local: string) => new Date(`2026-${local}:00+08:00`).toISOString()
  const set = (table: string, id: string, values: Record<string, string | null>) =>
    ctx.sql(`update ${table} set ${Object.keys(values).map((k, i) => `${k} = $${i + 2}`).join(', ')} where id = $1`, [id, ...Object.values(values)])
  await set('referrals', a, { created_at: at('03-01T00:00'), consented_at: at('03-02T00:00'), submitted_at: at('03-02T00:00'), qualified_at: at('03-03T00:00'), converted_at: at('04-20T00:00') })
  await set('referrals', b, { created_at: at('03-10T10:00'), consented_at: null, consent_expires_at: null, submitted_at: at('03-10T10:00'), qualified_at: at('03-12T10:00') })
  await set('referrals', c, { created_at: at('02-28T23:59'), consented_at: at('03-05T00:00'), submitted_at: at('03-05T00:00') })
  const [ra, rb] = await ctx.sql<{ lead_id: string; opportunity_id: string }>('select lead_id, opportunity_id from referrals where id = any($1) order by array_position($1, id)', [[a, b]])
  await set('leads', ra.lead_id, { first_contacted_at: at('03-02T12:00') })
  await set('leads', rb.lead_id, { first_contacted_at: null })
  await set('opportunities', ra.opportunity_id, { created_at: at('03-04T00:00') })
  await set('opportunities', rb.opportunity_id, { created_at: at('03-12T10:00') })
  await set('orders', world.orders[0], { paid_at: at('04-21T00:00') })

  const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/referral-funnel?from=2026-03-01&to=2026-04-01')
  const steps = res.json().steps as { step: string; count: number; rateFromPrevious: number | null; overallRate: number | null; duration: { count: number; medianSeconds: number | null; p90Seconds: number | null } }[]
  t.same(steps.map((s) => [s.step, s.count]), [['submitted', 2], ['consented', 2], ['qualified', 2], ['leadContacted', 2], ['opportunityOpened', 2], ['converted', 1], ['firstPaidOrder', 1]])
  t.equal(steps[5].rateFromPrevious, 0.5)
  t.equal(steps[5].overallRate, 0.5)
  t.equal(steps[0].rateFromPrevious, null)
  t.same(steps.map((s) => s.duration), [
    { count: 0, medianSeconds: null, p90Seconds: null },
    { count: 1, medianSeconds: 86_400, p90Seconds: 86_400 },
    { count: 2, medianSeconds: 129_600, p90Seconds: 164_160 },
    { count: 1, medianSeconds: -43_200, p90Seconds: -43_200 },
    { count: 1, medianSeconds: 129_600, p90Seconds: 129_600 },
    { count: 1, medianSeconds: 4_060_800, p90Seconds: 4_060_800 },
    { count: 1, medianSeconds: 86_400, p90Seconds: 86_400 }
  ])
})
