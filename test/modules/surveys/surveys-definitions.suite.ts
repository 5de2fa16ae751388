import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { CREATE, createCustomer, createSurvey, invitationsOf, recordOrder, SURVEY, UPDATE } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam('Service desk')
  const sales = await ctx.staff('sales', { teamId: team })
  const service = await ctx.staff('service', { teamId: team })
  const marketing = await ctx.staff('marketing')

  await t.test('createSurvey with variables and inline arguments; defaults for delay, cooldown, expiry and active; the scale by kind', async (t) => {
    const nps = await createSurvey(ctx, { name: 'After payment', delayMinutes: 60 }, service.token)
    t.match(nps, { name: 'After payment', kind: 'nps', trigger: 'order_paid', delayMinutes: 60, channel: 'sms', cooldownDays: 30, expiresAfterHours: 168, active: true, scale: { min: 0, max: 10 }, version: 1 })
    const inline = await ctx.gql(marketing.token, `mutation { createSurvey(input: { name: "工单回访", kind: csat, questionZh: "您对本次服务满意吗？", trigger: ticket_resolved, channel: "wechat", cooldownDays: 0, active: false }) { survey { ${SURVEY} } userErrors { field code } } }`)
    t.same(inline.data.createSurvey.userErrors, [])
    t.match(inline.data.createSurvey.survey, { kind: 'csat', trigger: 'ticket_resolved', questionEn: null, cooldownDays: 0, active: false, scale: { min: 1, max: 5 } })
    const got = await ctx.gql(sales.token, `query($id: ID!) { survey(id: $id) { ${SURVEY} } }`, { id: nps.id })
    t.equal(got.data.survey.id, nps.id, 'sales read definitions')
    const list = await ctx.gql(ctx.adminToken, '{ surveys(filter: { trigger: ticket_resolved }) { edges { node { id kind } } totalCount } }')
    t.same(list.data.surveys.edges.map((e: { node: { id: string } }) => e.node.id), [inline.data.createSurvey.survey.id])
    t.equal(list.data.surveys.totalCount, 1)
    await ctx.gql(ctx.adminToken, UPDATE, { id: nps.id, i: { active: false } })
  })

  await t.test('REST: POST (201, Location, ETag), GET, list by kind, PATCH with If-Match (412 when stale)', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/surveys', { name: 'REST csat', kind: 'csat', questionZh: '满意吗？', trigger: 'referral_converted', channel: 'wechat', delayMinutes: 5, active: false })
    t.equal(res.statusCode, 201)
    const survey = res.json()
    t.equal(res.headers.location, `/api/v1/surveys/${survey.id}`)
    t.equal(res.headers.etag, '"1"')
    t.equal((await ctx.rest(sales.token, 'GET', `/api/v1/surveys/${survey.id}`)).json().name, 'REST csat')
    const csats = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/surveys?kind=csat&limit=50')).json()
    t.ok(csats.data.every((s: { kind: string }) => s.kind === 'csat') && csats.data.some((s: { id: string }) => s.id === survey.id))
    const patched = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/surveys/${survey.id}`, { questionEn: 'Satisfied?', cooldownDays: 7 }, { 'if-match': '"1"' })
    t.equal(patched.statusCode, 200)
    t.match(patched.json(), { questionEn: 'Satisfied?', cooldownDays: 7, version: 2 })
    const stale = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/surveys/${survey.id}`, { name: 'x' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/surveys/00000000-0000-7000-8000-000000000000')).statusCode, 404)
    const audit = await ctx.sql<{ action: string }>('select action from audit_entries where entity_id = $1 order by id', [survey.id])
    t.same(audit.map((a) => a.action), ['survey.created', 'survey.updated'])
  })

  await t.test('bad input is a typed error naming the field, and stores nothing', async (t) => {
    const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from surveys'))[0].n
    const bad = await ctx.gql(ctx.adminToken, CREATE, { i: { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'sms', delayMinutes: -1 } })
    t.match(bad.data.createSurvey, { survey: null, userErrors: [{ field: 'delayMinutes' }] })
    const kind = await ctx.gql(ctx.adminToken, CREATE, { i: { name: 'x', kind: 'stars', questionZh: 'q', trigger: 'order_paid', channel: 'sms' } })
    t.match(kind.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }])
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/surveys', { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'ticket_closed', channel: 'sms', expiresAfterHours: 0 })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION' })
    const kindChange = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/surveys', { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'SMS!' })
    t.match(kindChange.json(), { errors: [{ field: 'channel' }] })
    const taken = await createSurvey(ctx, { externalId: 'S-1', active: false })
    const again = await ctx.gql(ctx.adminToken, CREATE, { i: { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'sms', externalId: 'S-1' } })
    t.match(again.data.createSurvey.userErrors, [{ field: 'externalId', code: 'TAKEN' }])
    const fixed = await ctx.gql(ctx.adminToken, `mutation($id: ID!) { updateSurvey(id: $id, input: { kind: csat }) { survey { id } userErrors { field } } }`, { id: taken.id })
    t.match(fixed.errors, [{ extensions: { code: 'BAD_USER_INPUT' } }], 'the kind is fixed once created')
    t.equal((await ctx.sql<{ n: number }>('select count(*)::int as n from surveys'))[0].n, before + 1)
  })

  await t.test('grants: sales and referrer tokens may not define surveys; a referrer may not read them', async (t) => {
    const denied = await ctx.gql(sales.token, CREATE, { i: { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'sms' } })
    t.match(denied.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    t.equal((await ctx.rest(sales.token, 'POST', '/api/v1/surveys', { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'sms' })).statusCode, 403)
    const referrer = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: 'R' })
    const rt = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.json().id })).json().accessToken
    t.match((await ctx.gql(rt, '{ surveys { totalCount } }')).errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const readOnly = await ctx.keyToken('integration', { readOnly: true })
    t.equal((await ctx.rest(readOnly, 'POST', '/api/v1/surveys', { name: 'x', kind: 'nps', questionZh: 'q', trigger: 'order_paid', channel: 'sms' })).statusCode, 403)
  })

  await t.test('deactivating a survey cancels its invitations not yet sent; an inactive survey invites no one', async (t) => {
    const survey = await createSurvey(ctx, { delayMinutes: 24 * 60 })
    const customer = await createCustomer(ctx)
    await recordOrder(ctx, customer.id)
    t.match(await invitationsOf(ctx, customer.id), [{ survey_id: survey.id, status: 'scheduled' }])
    const off = await ctx.gql(ctx.adminToken, UPDATE, { id: survey.id, i: { active: false } })
    t.match(off.data.updateSurvey.survey, { active: false, version: 2 })
    t.match(await invitationsOf(ctx, customer.id), [{ status: 'cancelled' }])
    const other = await createCustomer(ctx)
    await recordOrder(ctx, other.id)
    t.same(await invitationsOf(ctx, other.id), [])
    const unchanged = await ctx.gql(ctx.adminToken, UPDATE, { id: survey.id, i: { active: false } })
    t.equal(unchanged.data.updateSurvey.survey.version, 2, 'a change that changes nothing is not written')
  })
})
