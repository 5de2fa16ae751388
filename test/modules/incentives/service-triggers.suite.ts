import t from 'tap'
import { runAction } from '../../../src/db/action.js'
import { onSurveyAnswered, onTicketResolved } from '../../../src/modules/incentives/service-triggers.js'
import { forEachDatabase, type TestApp } from '../../helper.js'
import { convert, createReferrer, createRule, deactivateAll, getReward, PREVIEW, submitted } from './support.js'

const system = { actorType: 'system', actorId: null, actorRole: null, apiKeyId: null, requestId: null } as const

/** A survey answer and a ticket written straight into their tables (the survey and ticket services are not needed here). */
async function answer(ctx: TestApp, customerId: string, score = 9): Promise<{ responseId: string; surveyId: string }> {
  const [s] = await ctx.sql<{ id: string }>(`insert into surveys (id, name, kind, question_zh, trigger, channel) values (crm_uuidv7(), 'NPS', 'nps', '推荐吗?', 'ticket_resolved', 'sms') returning id`)
  const [i] = await ctx.sql<{ id: string }>(`insert into survey_invitations (id, survey_id, customer_id, status, trigger_key, send_at, sent_at, answered_at)
    values (crm_uuidv7(), $1, $2, 'answered', $3, now(), now(), now()) returning id`, [s.id, customerId, `test:${Math.random()}`])
  const [r] = await ctx.sql<{ id: string }>(`insert into survey_responses (id, invitation_id, survey_id, customer_id, kind, score)
    values (crm_uuidv7(), $1, $2, $3, 'nps', $4) returning id`, [i.id, s.id, customerId, score])
  return { responseId: r.id, surveyId: s.id }
}

async function ticket(ctx: TestApp, customerId: string): Promise<string> {
  const [row] = await ctx.sql<{ id: string }>(`insert into tickets (id, customer_id, channel, category, subject, status, resolved_at, tracking_token_hash)
    values (crm_uuidv7(), $1, 'phone', 'repair', '空调不制冷', 'resolved', now(), $2) returning id`, [customerId, `hash-${Math.random()}`])
  return row.id
}

const rewardsOf = (ctx: TestApp, key: string) => ctx.sql<{ beneficiary_type: string; beneficiary_id: string; amount: number; reward_type: string; status: string; rule_id: string }>(
  'select beneficiary_type, beneficiary_id, amount::int, reward_type, status, rule_id from rewards where event_key = $1 order by beneficiary_type', [key])

await forEachDatabase(t, async (t, ctx) => {
  const referrer = await createReferrer(ctx)
  const referred = await convert(ctx, (await submitted(ctx, referrer.id)).leadId)
  const walkIn = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: '自然客户' })).json().id as string
  t.beforeEach(() => deactivateAll(ctx))

  await t.test('survey_answered: points to the answering customer, cash to their referrer, once per answer however often called', async (t) => {
    const points = await createRule(ctx, { trigger: 'survey_answered', calc: 'points', rewardType: 'points', amount: 10, beneficiary: 'referred', approval: 'auto' })
    const cash = await createRule(ctx, { trigger: 'survey_answered', amount: 500, beneficiary: 'referrer', approval: 'manual' })
    const a = await answer(ctx, referred, 3)
    const facts = { ...a, customerId: referred, kind: 'nps' as const, score: 3, at: new Date() }
    const written = await runAction(ctx.app.db, system, (action) => onSurveyAnswered(action, facts))
    t.equal(written.length, 2)
    t.match(await getReward(ctx, written[0].id), { trigger: 'survey_answered', eventKey: `survey_answered:${a.responseId}`, customerId: referred }, 'readable through the API')
    const rows = await rewardsOf(ctx, `survey_answered:${a.responseId}`)
    t.match(rows, [
      { beneficiary_type: 'referred', beneficiary_id: referred, amount: 10, reward_type: 'points', status: 'approved', rule_id: points.id },
      { beneficiary_type: 'referrer', beneficiary_id: referrer.id, amount: 500, reward_type: 'cash', status: 'pending', rule_id: cash.id }
    ])
    // Replayed, and raced: the database keeps one reward per (rule, event, beneficiary).
    t.same(await runAction(ctx.app.db, system, (action) => onSurveyAnswered(action, facts)), [], 'a replay writes nothing')
    await Promise.all(Array.from({ length: 5 }, () => runAction(ctx.app.db, system, (action) => onSurveyAnswered(action, facts))))
    t.equal((await rewardsOf(ctx, `survey_answered:${a.responseId}`)).length, 2, 'still two')
    const events = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'reward.created' and data->'reward'->>'eventKey' = $1", [`survey_answered:${a.responseId}`])
    t.equal(events[0].n, 2, 'announced once each')
  })

  await t.test('a customer nobody referred earns the customer-side rule only; the referrer rule says why not', async (t) => {
    await createRule(ctx, { trigger: 'survey_answered', calc: 'points', rewardType: 'points', amount: 10, beneficiary: 'referred', approval: 'auto' })
    const cash = await createRule(ctx, { trigger: 'survey_answered', amount: 500, beneficiary: 'referrer' })
    const both = await createRule(ctx, { trigger: 'survey_answered', calc: 'points', rewardType: 'points', amount: 3, beneficiary: 'both' })
    const a = await answer(ctx, walkIn)
    await runAction(ctx.app.db, system, (action) => onSurveyAnswered(action, { ...a, customerId: walkIn, kind: 'nps', score: 9, at: new Date() }))
    const rows = await rewardsOf(ctx, `survey_answered:${a.responseId}`)
    t.same(rows.map((r) => [r.beneficiary_type, r.amount]).sort(), [['referred', 10], ['referred', 3]].sort())
    const p = await ctx.gql(ctx.adminToken, PREVIEW, { e: { trigger: 'survey_answered', customerId: walkIn } })
    const why = p.data.previewIncentives.explanations
    t.match(why.find((e: { ruleId: string }) => e.ruleId === cash.id), { matched: false, code: 'no_referrer', reason: /not referred by anyone/ })
    t.match(why.find((e: { ruleId: string }) => e.ruleId === both.id), { matched: true, reason: /referrer gets nothing/i })
  })

  await t.test('ticket_resolved: once per ticket, a second resolution after a reopen earns nothing', async (t) => {
    await createRule(ctx, { trigger: 'ticket_resolved', calc: 'points', rewardType: 'points', amount: 5, beneficiary: 'both', approval: 'auto' })
    const id = await ticket(ctx, referred)
    const first = await runAction(ctx.app.db, system, (action) => onTicketResolved(action, { ticketId: id, customerId: referred, at: new Date() }))
    t.same(first.map((r) => r.beneficiaryType).sort(), ['referred', 'referrer'])
    const again = await runAction(ctx.app.db, system, (action) => onTicketResolved(action, { ticketId: id, customerId: referred, at: new Date(Date.now() + 86_400_000) }))
    t.same(again, [])
    t.equal((await rewardsOf(ctx, `ticket_resolved:${id}`)).length, 2)
  })

  await t.test('rewards commit with the calling action: a rolled-back answer leaves none', async (t) => {
    await createRule(ctx, { trigger: 'survey_answered', calc: 'points', rewardType: 'points', amount: 10, beneficiary: 'referred' })
    const a = await answer(ctx, referred)
    await t.rejects(runAction(ctx.app.db, system, async (action) => {
      await onSurveyAnswered(action, { ...a, customerId: referred, kind: 'nps', score: 9, at: new Date() })
      throw new Error('the answer failed after the rewards')
    }))
    t.same(await rewardsOf(ctx, `survey_answered:${a.responseId}`), [])
  })

  await t.test('previewIncentives with the service triggers: the customer names the referrer; rules validate like the others', async (t) => {
    const rule = await createRule(ctx, { trigger: 'ticket_resolved', amount: 800, beneficiary: 'referrer', tierMultipliers: { standard: 15000 } })
    const p = await ctx.gql(ctx.adminToken, PREVIEW, { e: { trigger: 'ticket_resolved', customerId: referred } })
    t.match(p.data.previewIncentives.decisions, [{ ruleId: rule.id, beneficiary: 'referrer', beneficiaryId: referrer.id }])
    const inline = await ctx.gql(ctx.adminToken, `mutation { previewIncentives(event: { trigger: survey_answered, customerId: "${walkIn}" }) { decisions { ruleId } explanations { code } } }`)
    t.same(inline.data.previewIncentives.decisions, [], 'no survey rules active')
    const bad = await ctx.gql(ctx.adminToken, 'mutation { createIncentiveRule(input: { name: "pct", trigger: survey_answered, calc: percentage, rewardType: cash, percentBp: 100 }) { incentiveRule { id } userErrors { field code } } }')
    t.match(bad.data.createIncentiveRule.userErrors, [{ field: 'calc', code: 'NEEDS_ORDER' }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/incentive-rules', { name: 'Answer points', trigger: 'survey_answered', calc: 'points', rewardType: 'points', amount: 20 })
    t.equal(rest.statusCode, 201, rest.body)
    const list = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/incentive-rules?trigger=survey_answered&trigger=ticket_resolved')
    t.equal(list.statusCode, 200, list.body)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
