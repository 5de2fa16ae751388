import t from 'tap'
import fc from 'fast-check'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { DAY_MS } from '../../../src/rules/rfm.js'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { createCustomer } from '../orders/support.js'
import { expected, load, recompute, stored, wipe } from './scoring-support.js'

/**
 * Satisfaction in scoring (docs/scoring.md, "Satisfaction"): the latest NPS and CSAT per
 * customer, and a recent detractor placed at_risk. Survey answers are written straight into
 * their tables (the survey service is not needed to test what scoring makes of them).
 */
const AS_OF = new Date('2031-03-15T08:30:00Z')
const LIFECYCLE = { loyalMinPaidOrders: 2, atRiskDays: 60, churnedDays: 150, engagedDays: 90, detractorDays: 30 }
const WINDOW = 90

const history = fc.array(fc.array(fc.record({
  daysAgo: fc.oneof(fc.integer({ min: 0, max: 200 }), fc.constantFrom(60, 150)),
  amount: fc.integer({ min: 1, max: 200_000 }),
  refund: fc.constantFrom('none' as const, 'none' as const, 'all' as const)
}), { maxLength: 3 }), { minLength: 2, maxLength: 8 })
const answer = fc.record({
  who: fc.nat(), kind: fc.constantFrom('nps' as const, 'csat' as const), score: fc.nat(10),
  daysAgo: fc.oneof(fc.double({ min: 0, max: 60, noNaN: true }), fc.constantFrom(0, 30, 29.999, 30.001))
})
const night = fc.record({ laterDays: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 1, max: 40 })), answers: fc.array(answer, { maxLength: 4 }) })

type Surveys = Record<'nps' | 'csat', string>
async function surveys(ctx: TestApp): Promise<Surveys> {
  const out: Record<string, string> = {}
  for (const kind of ['nps', 'csat']) {
    const [row] = await ctx.sql<{ id: string }>(`insert into surveys (id, name, kind, question_zh, trigger, channel) values (crm_uuidv7(), $1, $2, '满意吗?', 'ticket_resolved', 'sms') returning id`, [`${kind} survey`, kind])
    out[kind] = row.id
  }
  return out as Surveys
}

/** One answer (and its invitation) given `daysAgo` before `now`; a CSAT score is folded into 1–5. */
async function answerOf(ctx: TestApp, s: Surveys, customerId: string, kind: 'nps' | 'csat', score: number, at: Date): Promise<void> {
  const [i] = await ctx.sql<{ id: string }>(`insert into survey_invitations (id, survey_id, customer_id, status, trigger_key, send_at, sent_at, answered_at)
    values (crm_uuidv7(), $1, $2, 'answered', $3, $4, $4, $4) returning id`, [s[kind], customerId, `test:${Math.random()}`, at])
  await ctx.sql(`insert into survey_responses (id, invitation_id, survey_id, customer_id, kind, score, answered_at) values (crm_uuidv7(), $1, $2, $3, $4, $5, $6)`,
    [i.id, s[kind], customerId, kind, kind === 'csat' ? 1 + (score % 5) : score, at])
}

await forEachDatabase(t, async (t, ctx) => {
  await t.test('full and nightly runs place recent detractors at_risk exactly as the pure rule does, as answers come and the window passes', async (t) => {
    let nights = 0
    await fc.assert(fc.asyncProperty(history, fc.array(answer, { maxLength: 10 }), fc.array(night, { minLength: 1, maxLength: 3 }), async (generated, answers, nightsOf) => {
      await wipe(ctx)
      const s = await surveys(ctx)
      const ids = await load(ctx, generated, AS_OF)
      for (const a of answers) await answerOf(ctx, s, ids[a.who % ids.length], a.kind, a.score, new Date(AS_OF.getTime() - a.daysAgo * DAY_MS))
      await recompute(ctx, 'rebuild', AS_OF)
      t.same(await stored(ctx), await expected(ctx, AS_OF, WINDOW, LIFECYCLE), 'rebuild')
      let now = AS_OF
      for (const n of nightsOf) {
        now = new Date(now.getTime() + n.laterDays * DAY_MS)
        for (const a of n.answers) await answerOf(ctx, s, ids[a.who % ids.length], a.kind, a.score, new Date(now.getTime() - Math.min(a.daysAgo, n.laterDays) * DAY_MS))
        await recompute(ctx, 'incremental', now)
        t.same(await stored(ctx), await expected(ctx, now, WINDOW, LIFECYCLE), `night ${nights++}: ${n.laterDays} days on, ${n.answers.length} answers`)
      }
    }), { numRuns: Number(process.env.SCORING_RUNS ?? 10) })
  })
}, { SCORING_CONFIG: JSON.stringify({ rfmWindowDays: WINDOW, lifecycle: LIFECYCLE }) })

const RECOMPUTE = 'mutation { recomputeRfm(input: { mode: INCREMENTAL }) { run { tierOrStageChanged } userErrors { code } } }'
const CUSTOMER = 'query($id: ID!) { customer(id: $id) { lifecycleStage } }'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('recomputeRfm moves a loyal customer who just answered NPS 3 to at_risk, and back once a promoter answer follows', async (t) => {
    const s = await surveys(ctx)
    const loyal = await createCustomer(ctx)
    for (const daysAgo of [3, 10]) await ctx.app.services.orders.record(systemActor, { customerId: loyal.id, amount: { amount: 50_000, currency: 'CNY' }, paidAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString() })
    await ctx.gql(ctx.adminToken, RECOMPUTE)
    t.equal((await ctx.gql(ctx.adminToken, CUSTOMER, { id: loyal.id })).data.customer.lifecycleStage, 'loyal')

    await answerOf(ctx, s, loyal.id, 'nps', 3, new Date(Date.now() - DAY_MS))
    const r = await ctx.gql(ctx.adminToken, RECOMPUTE)
    t.same(r.data.recomputeRfm.userErrors, [])
    t.equal((await ctx.gql(ctx.adminToken, CUSTOMER, { id: loyal.id })).data.customer.lifecycleStage, 'at_risk')
    const [event] = await ctx.sql<{ data: any }>("select data from outbox_events where type = 'customer.updated' and entity_id = $1 order by id desc limit 1", [loyal.id])
    t.match(event.data, { source: 'scoring', changes: { lifecycleStage: { from: 'loyal', to: 'at_risk' } } })

    // A later promoter answer of the same kind takes the detractor back.
    await answerOf(ctx, s, loyal.id, 'nps', 10, new Date())
    await ctx.gql(ctx.adminToken, RECOMPUTE)
    t.equal((await ctx.gql(ctx.adminToken, CUSTOMER, { id: loyal.id })).data.customer.lifecycleStage, 'loyal')

    // A CSAT 1 counts too; a customer who never bought is placed as well.
    const walkIn = await createCustomer(ctx)
    await answerOf(ctx, s, walkIn.id, 'csat', 0, new Date(Date.now() - 2 * DAY_MS))
    await ctx.gql(ctx.adminToken, RECOMPUTE)
    t.equal((await ctx.gql(ctx.adminToken, CUSTOMER, { id: walkIn.id })).data.customer.lifecycleStage, 'at_risk')
  })

  await t.test('SCORING_CONFIG lifecycle.detractorDays is checked like the other thresholds', async (t) => {
    const { scoringConfig } = await import('../../../src/modules/scoring/scoring.config.js')
    t.equal(scoringConfig(JSON.stringify({ lifecycle: { detractorDays: 0 } })).lifecycle.detractorDays, 0, '0 turns it off')
    t.throws(() => scoringConfig(JSON.stringify({ lifecycle: { detractorDays: -1 } })), /detractorDays/)
    t.throws(() => scoringConfig(JSON.stringify({ lifecycle: { detractorDays: 1.5 } })), /detractorDays/)
  })
})
