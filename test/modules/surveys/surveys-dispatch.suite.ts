import { createHash } from 'node:crypto'
import t from 'tap'
import { surveyDispatchJob } from '../../../src/jobs/survey-dispatch.job.js'
import { forEachDatabase } from '../../helper.js'
import { createCustomer, createSurvey, deactivate, eventsOfType, HOUR, invitationsOf, MINUTE, publicGet, recordOrder } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const services = ctx.app.services
  const owner = await ctx.staff('sales')

  await t.test('is the survey-dispatch job on SURVEY_DISPATCH_CRON', async (t) => {
    t.equal(surveyDispatchJob.name, 'survey-dispatch')
    t.equal(surveyDispatchJob.cron(ctx.app.config), ctx.app.config.SURVEY_DISPATCH_CRON)
  })

  await t.test('sends a due invitation once: a single-use token (only its SHA-256 stored), an expiry, and survey.sent with the token and the public path', async (t) => {
    const survey = await createSurvey(ctx, { delayMinutes: 60, expiresAfterHours: 48, channel: 'wechat' })
    const customer = await createCustomer(ctx, { ownerId: owner.userId })
    const paidAt = new Date(Date.now() - MINUTE)
    await recordOrder(ctx, customer.id, { paidAt: paidAt.toISOString() })
    const [invitation] = await invitationsOf(ctx, customer.id)

    t.match(await services.surveys.dispatch(new Date(paidAt.getTime() + 59 * MINUTE)), { sent: 0 }, 'not before sendAt')
    t.equal((await invitationsOf(ctx, customer.id))[0].status, 'scheduled')

    const now = new Date(paidAt.getTime() + 61 * MINUTE)
    t.match(await surveyDispatchJob.run(services, now), { sent: 1 })
    const [sent] = await invitationsOf(ctx, customer.id)
    t.match(sent, { status: 'sent', sent_at: now, expires_at: new Date(now.getTime() + 48 * HOUR) })
    const events = await eventsOfType(ctx, 'survey.sent', invitation.id)
    t.equal(events.length, 1)
    const { data } = events[0]
    t.match(data, {
      customerId: customer.id, url: `/api/v1/public/surveys/${data.token}`,
      survey: { id: survey.id, kind: 'nps', channel: 'wechat', questionZh: '您有多大可能向朋友推荐我们？' },
      invitation: { id: invitation.id, status: 'sent', customerId: customer.id, agentId: owner.userId }
    })
    t.match(data.token, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url')
    t.equal(sent.token_hash, createHash('sha256').update(data.token).digest('hex'), 'only the hash is stored')
    t.notOk('tokenHash' in data.invitation, 'the event never carries the hash')
    t.equal((await publicGet(ctx, data.token)).statusCode, 200)

    t.match(await services.surveys.dispatch(new Date(now.getTime() + MINUTE)), { sent: 0 }, 'a second pass sends nothing')
    t.equal((await eventsOfType(ctx, 'survey.sent', invitation.id)).length, 1)
    await deactivate(ctx, survey.id)
  })

  await t.test('expires sent invitations past their expiry: status expired, token cleared, the link 404s', async (t) => {
    const survey = await createSurvey(ctx, { expiresAfterHours: 2 })
    const customer = await createCustomer(ctx)
    await recordOrder(ctx, customer.id)
    const now = new Date(Date.now() + MINUTE)
    await services.surveys.dispatch(now)
    const [invitation] = await invitationsOf(ctx, customer.id)
    const [{ data }] = await eventsOfType(ctx, 'survey.sent', invitation.id)
    t.match(await services.surveys.dispatch(new Date(now.getTime() + HOUR)), { expired: 0 })
    t.match(await services.surveys.dispatch(new Date(now.getTime() + 2 * HOUR)), { expired: 1 })
    t.match(await invitationsOf(ctx, customer.id), [{ status: 'expired', token_hash: null }])
    const res = await publicGet(ctx, data.token)
    t.equal(res.statusCode, 404)
    t.match(res.json(), { code: 'CRM_ERR_NOT_FOUND' })
    await deactivate(ctx, survey.id)
  })

  await t.test('an invitation whose survey was switched off or whose customer was deleted is not sent', async (t) => {
    const survey = await createSurvey(ctx, { delayMinutes: 10 })
    const kept = await createCustomer(ctx)
    const gone = await createCustomer(ctx)
    await recordOrder(ctx, kept.id)
    await recordOrder(ctx, gone.id)
    t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${gone.id}`)).statusCode, 204)
    t.match(await services.surveys.dispatch(new Date(Date.now() + 11 * MINUTE)), { sent: 1, cancelled: 1 })
    t.match(await invitationsOf(ctx, gone.id), [{ status: 'cancelled', token_hash: null }])
    t.match(await invitationsOf(ctx, kept.id), [{ status: 'sent' }])
    await deactivate(ctx, survey.id)
  })

  await t.test('two dispatchers at once send each invitation exactly once, in batches', async (t) => {
    const survey = await createSurvey(ctx, { cooldownDays: 0 })
    const customers = await Promise.all(Array.from({ length: 5 }, () => createCustomer(ctx)))
    for (const c of customers) for (let i = 0; i < 50; i++) await recordOrder(ctx, c.id)
    const scheduled = (await ctx.sql<{ n: number }>(`select count(*)::int as n from survey_invitations where survey_id = $1 and status = 'scheduled'`, [survey.id]))[0].n
    t.equal(scheduled, 250)
    const now = new Date(Date.now() + MINUTE)
    const passes = await Promise.all([services.surveys.dispatch(now), services.surveys.dispatch(now)])
    t.equal(passes[0].sent + passes[1].sent, 250, `sent ${passes[0].sent} + ${passes[1].sent}`)
    const [counts] = await ctx.sql<{ events: number; invitations: number }>(`select
      (select count(*)::int from outbox_events e join survey_invitations i on i.id = e.entity_id where e.type = 'survey.sent' and i.survey_id = $1) as events,
      (select count(*)::int from survey_invitations where survey_id = $1 and status = 'sent') as invitations`, [survey.id])
    t.same(counts, { events: 250, invitations: 250 })
    await deactivate(ctx, survey.id)
  })
})
