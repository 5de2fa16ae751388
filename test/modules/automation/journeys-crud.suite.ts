import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { activate, ACTIVATE, ARCHIVE, CREATE, createJourney, JOURNEY, PAUSE, tagJourney, UPDATE } from './support.js'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('a journey is created as a draft at version 1, inline and with variables, and read back on both transports', async (t) => {
    const j = await createJourney(ctx, tagJourney({ description: '下单打标签', conditions: { tier: ['A', 'B'] } }))
    t.match(j, { status: 'draft', currentVersion: 1, version: 1, trigger: { type: 'event', eventType: 'order.recorded' }, conditions: { tier: ['A', 'B'] }, reentry: null })
    const inline = await ctx.gql(ctx.adminToken, `mutation { createJourney(input: { name: "Inline", trigger: { type: "inactivity", days: 30, measure: "order" },
      steps: [{ key: "care", type: "task", title: "Call the customer" }] }) { journey { ${JOURNEY} } userErrors { field message code } } }`)
    t.same(inline.data.createJourney.userErrors, [])
    t.match(inline.data.createJourney.journey, { trigger: { type: 'inactivity', days: 30 }, steps: [{ key: 'care', type: 'task' }] })
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/journeys/${j.id}`)
    t.equal(rest.statusCode, 200)
    t.match(rest.json(), { id: j.id, status: 'draft', description: '下单打标签' })
    t.equal(rest.headers.etag, '"1"')
    const list = await ctx.gql(ctx.adminToken, '{ journeys(filter: { status: draft }) { totalCount edges { node { id } } } }')
    t.ok(list.data.journeys.edges.some((e: { node: { id: string } }) => e.node.id === j.id))
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/journeys', tagJourney())
    t.equal(created.statusCode, 201)
    t.match(created.headers.location, /^\/api\/v1\/journeys\//)
    const events = await ctx.sql<{ type: string }>('select type from outbox_events where entity_id = $1', [j.id])
    t.same(events.map((e) => e.type), ['journey.created'])
  })

  await t.test('an invalid definition is a userError naming each field (REST: 400 problem+json)', async (t) => {
    const cases: [Record<string, unknown>, string, string][] = [
      [tagJourney({ trigger: { type: 'event', eventType: 'order.paidd' } }), 'trigger.eventType', 'UNKNOWN_EVENT'],
      [tagJourney({ steps: [{ key: 'a', type: 'tag', add: ['x'] }, { key: 'a', type: 'exit' }] }), 'steps.1.key', 'DUPLICATE_KEY'],
      [tagJourney({ steps: [{ key: 'a', type: 'tag', add: ['x'], next: 'nowhere' }] }), 'steps.0.next', 'UNKNOWN_STEP_KEY'],
      [tagJourney({ steps: [{ key: 'a', type: 'branch', condition: { tier: ['A'] }, then: 'b', else: null }, { key: 'b', type: 'tag', add: ['x'], next: 'a' }] }), 'steps', 'LOOP_WITHOUT_WAIT'],
      [tagJourney({ steps: [{ key: 'w', type: 'wait', minutes: 5, untilTime: '09:00' }] }), 'steps.0', 'ONE_OF'],
      [tagJourney({ steps: [{ key: 'w', type: 'wait', untilTime: '25:00' }] }), 'steps.0.untilTime', 'INVALID_TIME'],
      [tagJourney({ conditions: { tier: ['Z'] } }), 'conditions.tier.0', ''],
      [tagJourney({ steps: [{ key: 'c', type: 'coupon', templateId: '01990000-0000-7000-8000-000000000001' }] }), 'steps.0.templateId', 'UNKNOWN_REFERENCE'],
      [tagJourney({ trigger: { type: 'event', eventType: 'order.recorded', changedFields: ['tier'] } }), 'trigger.changedFields', 'NOT_APPLICABLE']
    ]
    for (const [input, field, code] of cases) {
      const r = await ctx.gql(ctx.adminToken, CREATE, { i: input })
      t.equal(r.data.createJourney.journey, null, field)
      const e = r.data.createJourney.userErrors.find((x: { field: string }) => x.field === field)
      t.ok(e, `${field} in ${JSON.stringify(r.data.createJourney.userErrors)}`)
      if (code) t.equal(e?.code, code)
    }
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/journeys', tagJourney({ steps: [{ key: 'x', type: 'teleport' }] }))
    t.equal(rest.statusCode, 400)
    t.equal(rest.json().code, 'CRM_ERR_VALIDATION')
    const zh = await ctx.gql(ctx.adminToken, CREATE, { i: tagJourney({ trigger: { type: 'event', eventType: 'nope.nope' } }) }, { 'accept-language': 'zh-CN' })
    t.match(zh.data.createJourney.userErrors[0].message, /目录/)
  })

  await t.test('draft → active → paused → active → archived; other moves are refused', async (t) => {
    const j = await createJourney(ctx, tagJourney())
    const paused = await ctx.gql(ctx.adminToken, PAUSE, { id: j.id })
    t.match(paused.data.pauseJourney.userErrors, [{ field: 'status', code: 'INVALID_TRANSITION' }])
    await activate(ctx, j.id)
    t.equal((await ctx.gql(ctx.adminToken, PAUSE, { id: j.id })).data.pauseJourney.journey.status, 'paused')
    const again = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/journeys/${j.id}/activation`, {})
    t.equal(again.statusCode, 200)
    t.equal(again.json().status, 'active')
    t.equal((await ctx.gql(ctx.adminToken, ARCHIVE, { id: j.id })).data.archiveJourney.journey.status, 'archived')
    const dead = await ctx.gql(ctx.adminToken, ACTIVATE, { id: j.id })
    t.match(dead.data.activateJourney.userErrors, [{ code: 'INVALID_TRANSITION' }])
    const edit = await ctx.gql(ctx.adminToken, UPDATE, { id: j.id, i: { name: 'x' } })
    t.match(edit.data.updateJourney.userErrors, [{ code: 'ARCHIVED' }])
    const types = (await ctx.sql<{ type: string }>('select type from outbox_events where entity_id = $1 order by occurred_at, id', [j.id])).map((e) => e.type)
    t.same(types, ['journey.created', 'journey.activated', 'journey.paused', 'journey.activated', 'journey.archived'])
  })

  await t.test('editing a draft replaces its definition; editing an active journey makes a new version, the old one kept', async (t) => {
    const j = await createJourney(ctx, tagJourney())
    const d = await ctx.gql(ctx.adminToken, UPDATE, { id: j.id, i: { steps: [{ key: 'tag', type: 'tag', add: ['vip'] }] } })
    t.match(d.data.updateJourney.journey, { currentVersion: 1, version: 2, steps: [{ add: ['vip'] }] })
    await activate(ctx, j.id)
    const a = await ctx.gql(ctx.adminToken, UPDATE, { id: j.id, i: { steps: [{ key: 'tag2', type: 'tag', add: ['vip2'] }] } })
    t.match(a.data.updateJourney.journey, { currentVersion: 2, status: 'active', steps: [{ key: 'tag2' }] })
    const versions = await ctx.sql<{ version: number }>('select version from journey_versions where journey_id = $1 order by version', [j.id])
    t.same(versions.map((v) => v.version), [1, 2])
    const renamed = await ctx.gql(ctx.adminToken, UPDATE, { id: j.id, i: { name: 'Renamed' } })
    t.equal(renamed.data.updateJourney.journey.currentVersion, 2, 'a name is not a new version')
    const stale = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/journeys/${j.id}`, { name: 'y' }, { 'if-match': '"1"' })
    t.equal(stale.statusCode, 412)
  })

  await t.test('roles: marketing and managers design journeys; sales and service read them; referrers and unknown ids get nothing', async (t) => {
    const marketing = await ctx.staff('marketing')
    const sales = await ctx.staff('sales')
    const j = await createJourney(ctx, tagJourney(), marketing.token)
    const manager = await ctx.staff('manager')
    t.equal((await ctx.gql(manager.token, PAUSE, { id: j.id })).data.pauseJourney.userErrors[0].code, 'INVALID_TRANSITION')
    t.equal((await ctx.gql(sales.token, 'query($id: ID!) { journey(id: $id) { id } }', { id: j.id })).data.journey.id, j.id)
    const write = await ctx.gql(sales.token, CREATE, { i: tagJourney() })
    t.equal(write.errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(sales.token, 'POST', '/api/v1/journeys', tagJourney())).statusCode, 403)
    t.equal((await ctx.rest(null, 'GET', '/api/v1/journeys')).statusCode, 401)
    const missing = await ctx.gql(ctx.adminToken, '{ journey(id: "01990000-0000-7000-8000-000000000abc") { id } }')
    t.equal(missing.data.journey, null)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/journeys/01990000-0000-7000-8000-000000000abc')).statusCode, 404)
  })
}, { JOURNEY_WORKER_ENABLED: 'false' })
