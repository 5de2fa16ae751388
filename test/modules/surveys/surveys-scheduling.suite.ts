import t from 'tap'
import { scheduleSurveys } from '../../../src/modules/surveys/survey-scheduling.js'
import { runAction } from '../../../src/db/action.js'
import { actionContext, systemActor } from '../../../src/modules/auth/actor.js'
import { forEachDatabase } from '../../helper.js'
import { CONFIRM, createReferrer, newPhone, submit, YES } from '../referrals/support.js'
import { createCustomer, createSurvey, DAY, deactivate, invitationsOf, MINUTE, newId, RECORD, recordOrder } from './support.js'

const STATUS = 'mutation($id: ID!, $s: LeadStatus!) { updateLeadStatus(id: $id, status: $s) { userErrors { code message } } }'
const CONVERT = 'mutation($id: ID!) { convertLead(id: $id, input: { createOpportunity: false }) { customer { id } userErrors { code message } } }'

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Sales')
  const rep = await ctx.staff('sales', { teamId: team })
  const services = ctx.app.services

  await t.test('a paid order schedules each active order survey delayMinutes after paidAt, for the customer, about its owner', async (t) => {
    const nps = await createSurvey(ctx, { delayMinutes: 120 })
    const csat = await createSurvey(ctx, { kind: 'csat', delayMinutes: 0, questionZh: '满意吗？' })
    const off = await createSurvey(ctx, { active: false })
    const otherTrigger = await createSurvey(ctx, { trigger: 'ticket_resolved' })
    const customer = await createCustomer(ctx, { ownerId: rep.userId })
    const paidAt = new Date(Date.now() - 10 * MINUTE)
    const order = await recordOrder(ctx, customer.id, { paidAt: paidAt.toISOString() })
    const rows = await invitationsOf(ctx, customer.id)
    t.same(rows.map((r) => r.survey_id).sort(), [nps.id, csat.id].sort(), 'only the active surveys of this trigger')
    for (const row of rows) {
      const survey = row.survey_id === nps.id ? nps : csat
      t.match(row, { status: 'scheduled', trigger_key: `order_paid:${order.id}`, order_id: order.id, ticket_id: null, referral_id: null, agent_id: rep.userId, token_hash: null })
      t.equal(new Date(row.send_at).getTime(), paidAt.getTime() + survey.delayMinutes * MINUTE)
    }
    for (const s of [nps, csat, off, otherTrigger]) await deactivate(ctx, s.id)
  })

  await t.test('a replayed order (same externalId) and a replayed trigger schedule nothing more', async (t) => {
    const survey = await createSurvey(ctx, { cooldownDays: 0 })
    const customer = await createCustomer(ctx)
    const externalId = newId()
    const input = { customerId: customer.id, externalId, amount: { amount: 500 } }
    await ctx.gql(ctx.adminToken, RECORD, { i: input })
    const replay = await ctx.gql(ctx.adminToken, RECORD, { i: input })
    t.equal(replay.data.recordOrder.created, false)
    t.equal((await invitationsOf(ctx, customer.id)).length, 1)
    const orderId = (await invitationsOf(ctx, customer.id))[0].order_id!
    const trigger = { kind: 'order_paid' as const, sourceId: orderId, customerId: customer.id, agentId: null, at: new Date() }
    const again = await runAction(ctx.app.db, actionContext(systemActor), (action) => scheduleSurveys(action, trigger, new Date()))
    t.same(again, [], 'unique (survey, triggerKey)')
    t.equal((await invitationsOf(ctx, customer.id)).length, 1)
    await deactivate(ctx, survey.id)
  })

  await t.test('survey fatigue: no second invitation of a survey to a customer within its cooldown; after it, yes; other surveys are not affected', async (t) => {
    const survey = await createSurvey(ctx, { cooldownDays: 30, expiresAfterHours: 24 * 365 })
    const customer = await createCustomer(ctx)
    await recordOrder(ctx, customer.id, { paidAt: new Date(Date.now() - 40 * DAY).toISOString() })
    await recordOrder(ctx, customer.id, { paidAt: new Date(Date.now() - 20 * DAY).toISOString() })
    t.equal((await invitationsOf(ctx, customer.id)).length, 1, '20 days after the first: within the cooldown')
    await recordOrder(ctx, customer.id)
    t.equal((await invitationsOf(ctx, customer.id)).length, 2, '40 days after the first, 20 after the refused one: invited again')
    const second = await createSurvey(ctx, { cooldownDays: 30, expiresAfterHours: 24 * 365 })
    await recordOrder(ctx, customer.id)
    t.same((await invitationsOf(ctx, customer.id)).filter((i) => i.survey_id === second.id).length, 1, 'the cooldown is per survey')
    for (const s of [survey, second]) await deactivate(ctx, s.id)
  })

  await t.test('an order so old that its invitation would already have expired (an imported history) invites no one', async (t) => {
    const survey = await createSurvey(ctx, { expiresAfterHours: 72 })
    const customer = await createCustomer(ctx)
    await recordOrder(ctx, customer.id, { paidAt: new Date(Date.now() - 4 * DAY).toISOString() })
    t.same(await invitationsOf(ctx, customer.id), [])
    await recordOrder(ctx, customer.id, { paidAt: new Date(Date.now() - 2 * DAY).toISOString() })
    t.equal((await invitationsOf(ctx, customer.id)).length, 1)
    await deactivate(ctx, survey.id)
  })

  await t.test('the cooldown holds when two orders of one customer are recorded at once', async (t) => {
    const survey = await createSurvey(ctx, { cooldownDays: 30 })
    for (let round = 0; round < 3; round++) {
      const customer = await createCustomer(ctx)
      const results = await Promise.all([0, 1, 2].map(() => ctx.gql(ctx.adminToken, RECORD, { i: { customerId: customer.id, externalId: newId(), amount: { amount: 100 } } })))
      t.same(results.map((r) => r.data.recordOrder.userErrors), [[], [], []])
      t.equal((await invitationsOf(ctx, customer.id)).length, 1, `round ${round}: one invitation`)
    }
    await deactivate(ctx, survey.id)
  })

  await t.test('converting a referred lead schedules the referral_converted surveys for the new customer, about the lead owner', async (t) => {
    const survey = await createSurvey(ctx, { trigger: 'referral_converted', kind: 'csat', delayMinutes: 30 })
    const referrer = await createReferrer(ctx, { ownerId: rep.userId }, rep.token)
    const { referral, consentToken } = await submit(ctx, ctx.adminToken, { referrerId: referrer.id, name: '孙七', phone: newPhone() })
    const leadId = (await ctx.gql(ctx.adminToken, CONFIRM, { t: consentToken, i: YES })).data.confirmReferralConsent.referral.leadId
    const [lead] = await ctx.sql<{ owner_id: string }>('select owner_id from leads where id = $1', [leadId])
    t.ok(lead.owner_id)
    await ctx.gql(rep.token, STATUS, { id: leadId, s: 'qualified' })
    const before = Date.now()
    const converted = await ctx.gql(rep.token, CONVERT, { id: leadId })
    t.same(converted.data.convertLead.userErrors, [])
    const customerId = converted.data.convertLead.customer.id
    const [row] = await invitationsOf(ctx, customerId)
    t.match(row, { survey_id: survey.id, status: 'scheduled', trigger_key: `referral_converted:${referral!.id}`, referral_id: referral!.id, order_id: null, agent_id: lead.owner_id })
    t.ok(new Date(row.send_at).getTime() >= before + 30 * MINUTE)
    await deactivate(ctx, survey.id)
  })

  await t.test('scheduleSurveys with a ticket trigger (the hook the ticket service calls on resolution)', async (t) => {
    const survey = await createSurvey(ctx, { trigger: 'ticket_resolved', kind: 'csat', questionZh: '满意吗？' })
    const customer = await createCustomer(ctx)
    const [ticket] = await ctx.sql<{ id: string }>(`insert into tickets (id, customer_id, channel, category, subject, tracking_token_hash)
      values (gen_random_uuid(), $1, 'phone', 'general', 'Broken', md5(random()::text)) returning id`, [customer.id])
    const at = new Date()
    const scheduled = await runAction(ctx.app.db, actionContext(systemActor), (action) =>
      scheduleSurveys(action, { kind: 'ticket_resolved', sourceId: ticket.id, customerId: customer.id, agentId: rep.userId, at }, new Date()))
    t.match(scheduled, [{ surveyId: survey.id, sendAt: at }])
    t.match(await invitationsOf(ctx, customer.id), [{ ticket_id: ticket.id, trigger_key: `ticket_resolved:${ticket.id}`, agent_id: rep.userId }])
    await deactivate(ctx, survey.id)
  })
})
