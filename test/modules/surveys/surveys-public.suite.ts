import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { clientIp, createCustomer, createSurvey, deactivate, eventsOfType, invitationsOf, publicAnswer, publicGet, sentInvitation } from './support.js'

const PER_IP = 6

await forEachDatabase(t, async (t, ctx) => {
  const csat = await createSurvey(ctx, { kind: 'csat', questionZh: '您对本次购买满意吗？', questionEn: 'Are you satisfied with your purchase?', cooldownDays: 0 })
  const customer = await createCustomer(ctx, { name: '周八', phone: '13912345678' })

  await t.test('GET by token: the question in Chinese and English, the kind and scale, the expiry; nothing about the customer', async (t) => {
    const { token } = await sentInvitation(ctx, csat.id, customer.id)
    const res = await publicGet(ctx, token)
    t.equal(res.statusCode, 200)
    const body = res.json()
    t.same(Object.keys(body).sort(), ['expiresAt', 'kind', 'questionEn', 'questionZh', 'scale'])
    t.match(body, { kind: 'csat', questionZh: '您对本次购买满意吗？', questionEn: 'Are you satisfied with your purchase?', scale: { min: 1, max: 5 } })
    t.notMatch(res.body, /周八|13912345678|139\*\*\*\*5678/)
    t.equal(res.headers['cache-control'], 'no-store', 'a token page is never cached on the way')
  })

  await t.test('POST by token: the answer is stored with the customer, trigger and agent; the token then reads 404 and a second answer is 409', async (t) => {
    const { token, invitationId, orderId } = await sentInvitation(ctx, csat.id, customer.id)
    const res = await publicAnswer(ctx, token, { score: 4, comment: '  送货很快  ' })
    t.equal(res.statusCode, 201)
    t.same(res.json(), { status: 'answered', kind: 'csat', score: 4 })
    const [stored] = await ctx.sql('select * from survey_responses where invitation_id = $1', [invitationId])
    t.match(stored, { customer_id: customer.id, survey_id: csat.id, kind: 'csat', score: 4, comment: '送货很快', order_id: orderId, ticket_id: null, referral_id: null })
    t.match((await invitationsOf(ctx, customer.id)).find((i) => i.id === invitationId), { status: 'answered' })
    t.equal((await publicGet(ctx, token)).statusCode, 404, 'a used token no longer shows the question')
    const again = await publicAnswer(ctx, token, { score: 1 })
    t.equal(again.statusCode, 409)
    t.match(again.headers['content-type'], /application\/problem\+json/)
    t.match(again.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ code: 'ALREADY_ANSWERED' }] })
    const events = await eventsOfType(ctx, 'survey.answered', stored.id as string)
    t.match(events, [{ data: { response: { id: stored.id, score: 4, category: 'passive', trigger: 'order_paid', customerId: customer.id }, survey: { id: csat.id, kind: 'csat' } } }])
    t.equal((await ctx.sql('select 1 from survey_responses where invitation_id = $1', [invitationId])).length, 1)
  })

  await t.test('two answers to one invitation at once: exactly one counted, the other told it was already answered', async (t) => {
    for (let round = 0; round < 3; round++) {
      const { token, invitationId } = await sentInvitation(ctx, csat.id, customer.id)
      const answers = await Promise.all([5, 1, 3].map((score) => publicAnswer(ctx, token, { score })))
      const codes = answers.map((a) => a.statusCode).sort()
      t.same(codes, [201, 409, 409], `round ${round}`)
      const rows = await ctx.sql<{ score: number }>('select score from survey_responses where invitation_id = $1', [invitationId])
      t.equal(rows.length, 1)
      const winner = answers.find((a) => a.statusCode === 201)!.json()
      t.equal(rows[0].score, winner.score, 'the stored answer is the one that was told it counted')
    }
  })

  await t.test('bad input is a typed 400 or 404 and stores nothing: out-of-range scores, a fraction, an unknown or malformed token', async (t) => {
    const { token, invitationId } = await sentInvitation(ctx, csat.id, customer.id)
    const csatSeven = await publicAnswer(ctx, token, { score: 7 })
    t.equal(csatSeven.statusCode, 400)
    t.match(csatSeven.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'score', code: 'OUT_OF_RANGE', message: 'must be a whole number from 1 to 5' }] })
    const zh = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/surveys/${token}`, payload: { score: 0 }, remoteAddress: clientIp(), headers: { 'accept-language': 'zh-CN' } })
    t.match(zh.json(), { errors: [{ field: 'score', message: '必须是 1 到 5 之间的整数' }] })
    t.equal((await publicAnswer(ctx, token, { score: 11 })).statusCode, 400)
    t.equal((await publicAnswer(ctx, token, { score: 2.5 })).statusCode, 400)
    t.equal((await publicAnswer(ctx, token, { score: 'five' })).statusCode, 400)
    t.equal((await publicAnswer(ctx, token, {})).statusCode, 400)
    t.equal((await publicAnswer(ctx, token, { score: 3, comment: 'x'.repeat(2001) })).statusCode, 400)
    t.equal((await publicAnswer(ctx, token, { score: 3, extra: 1 })).statusCode, 400)
    const unknown = await publicAnswer(ctx, 'A'.repeat(43), { score: 3 })
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { code: 'CRM_ERR_NOT_FOUND' })
    t.equal((await publicGet(ctx, 'not-a-token')).statusCode, 404)
    t.equal((await publicGet(ctx, 'x'.repeat(99))).statusCode, 404)
    t.same(await ctx.sql('select 1 from survey_responses where invitation_id = $1', [invitationId]), [])
    t.equal((await publicAnswer(ctx, token, { score: 5 })).statusCode, 201, 'the token still answers after refused attempts')
  })

  await t.test('an NPS survey takes 0 to 10', async (t) => {
    const nps = await createSurvey(ctx, { kind: 'nps', cooldownDays: 0 })
    const other = await createCustomer(ctx)
    const { token } = await sentInvitation(ctx, nps.id, other.id)
    t.match((await publicGet(ctx, token)).json(), { kind: 'nps', scale: { min: 0, max: 10 } })
    t.equal((await publicAnswer(ctx, token, { score: 8, comment: null })).statusCode, 201)
    await deactivate(ctx, nps.id)
  })

  await t.test(`limits each client address to ${PER_IP} requests a minute: 429 RATE_LIMITED`, async (t) => {
    const ip = clientIp()
    const codes = []
    for (let i = 0; i <= PER_IP; i++) codes.push((await publicGet(ctx, `guess-${i}`, ip)).statusCode)
    t.same(codes, [...Array(PER_IP).fill(404), 429])
    const limited = await publicAnswer(ctx, 'guess', { score: 3 }, ip)
    t.equal(limited.statusCode, 404, 'reading and answering are counted apart')
    t.equal((await publicGet(ctx, 'guess', clientIp())).statusCode, 404, 'another address is not limited')
  })
}, { PUBLIC_RATE_LIMIT_PER_IP: String(PER_IP) })
