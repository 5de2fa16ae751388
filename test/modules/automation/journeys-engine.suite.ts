import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { activate, COUNTS, createCustomer, createJourney, engine, ENROLLMENTS, recordOrder, tagJourney } from './support.js'

const DAY = 86_400_000
const later = (ms: number) => new Date(Date.now() + ms)

await forEachDatabase(t, async (t, ctx) => {
  const owner = await ctx.staff('sales')

  await t.test('an event enrolls its customer once; the steps run exactly once, recorded, counted and readable', async (t) => {
    const coupon = await ctx.gql(ctx.adminToken, 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } } }',
      { i: { name: '回购券', kind: 'amount_off', amountOff: 1000 } })
    const j = await createJourney(ctx, tagJourney({ steps: [
      { key: 'tag', type: 'tag', add: ['buyer'] },
      { key: 'call', type: 'task', title: '感谢来电', dueInHours: 24 },
      { key: 'points', type: 'points', amount: 50, reason: 'thanks' },
      { key: 'coupon', type: 'coupon', templateId: coupon.data.createCouponTemplate.template.id },
      { key: 'hook', type: 'event', name: 'thanked', data: { campaign: 'q3' } }
    ] }))
    await activate(ctx, j.id)
    const c = await createCustomer(ctx, { ownerId: owner.userId })
    await recordOrder(ctx, c.id)
    await recordOrder(ctx, c.id)
    const done = await engine(ctx).drain(new Date())
    t.ok(done.steps >= 5)
    const r = await ctx.gql(ctx.adminToken, ENROLLMENTS, { f: { journeyId: j.id } })
    t.equal(r.data.journeyEnrollments.totalCount, 1, 'two orders, one enrollment')
    const e = r.data.journeyEnrollments.edges[0].node
    t.match(e, { customerId: c.id, status: 'completed', triggerKind: 'event', entrySeq: 1, stepKey: null, customer: { id: c.id }, journey: { id: j.id } })
    t.same(e.steps.map((s: { stepKey: string; outcome: string }) => `${s.stepKey}:${s.outcome}`), ['tag:completed', 'call:completed', 'points:completed', 'coupon:completed', 'hook:completed'])
    const [cust] = await ctx.sql<{ tags: string[] }>('select tags from customers where id = $1', [c.id])
    t.same(cust.tags, ['buyer'])
    const tasks = await ctx.sql<{ assignee_id: string; origin: string }>('select assignee_id, origin from tasks where customer_id = $1', [c.id])
    t.same(tasks, [{ assignee_id: owner.userId, origin: 'journey' }])
    const [points] = await ctx.sql<{ balance: number }>('select balance from points_accounts where customer_id = $1', [c.id])
    t.equal(Number(points.balance), 50)
    t.equal((await ctx.sql('select 1 from coupons where customer_id = $1', [c.id])).length, 1)
    const [hook] = await ctx.sql<{ data: Record<string, unknown> }>("select data from outbox_events where type = 'automation.action' and data->>'enrollmentId' = $1", [e.id])
    t.match(hook.data, { name: 'thanked', data: { campaign: 'q3' }, customerId: c.id, journeyId: j.id, stepKey: 'hook' })
    t.equal((await ctx.sql("select 1 from outbox_events where type = 'task.created' and data->'task'->>'customerId' = $1", [c.id])).length, 1, 'task.created for staff notifications')
    const counts = await ctx.gql(ctx.adminToken, COUNTS, { id: j.id })
    t.same(counts.data.journey.stepCounts.map((s: { stepKey: string; entered: number; completed: number }) => [s.stepKey, s.entered, s.completed]).sort(),
      [['call', 1, 1], ['coupon', 1, 1], ['hook', 1, 1], ['points', 1, 1], ['tag', 1, 1]])
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/journeys/${j.id}/step-counts`)
    t.equal(rest.json().data.length, 5)
    t.same(await engine(ctx).drain(new Date()), { events: 0, steps: 0 }, 'nothing runs twice')
  })

  await t.test('a task step for a customer without an owner fails that step with no_owner and goes on', async (t) => {
    const j = await createJourney(ctx, tagJourney({ steps: [{ key: 'call', type: 'task', title: 'Call' }, { key: 'tag', type: 'tag', add: ['x'] }] }))
    await activate(ctx, j.id)
    const c = await createCustomer(ctx)
    await recordOrder(ctx, c.id)
    await engine(ctx).drain(new Date())
    const e = (await ctx.gql(ctx.adminToken, ENROLLMENTS, { f: { journeyId: j.id } })).data.journeyEnrollments.edges[0].node
    t.match(e.steps, [{ stepKey: 'call', outcome: 'failed', reason: 'no_owner' }, { stepKey: 'tag', outcome: 'completed' }])
  })

  await t.test('waits, branches and conditions: "no order within 14 days" gets a coupon; conditions are checked before each step', async (t) => {
    const j = await createJourney(ctx, {
      name: 'Win back', trigger: { type: 'event', eventType: 'customer.updated', changedFields: ['tier'] }, conditions: { tags: ['vip'] },
      steps: [
        { key: 'wait', type: 'wait', minutes: 14 * 24 * 60 },
        { key: 'ordered', type: 'branch', condition: { noOrderWithinDays: 15 }, then: 'nudge', else: null },
        { key: 'nudge', type: 'tag', add: ['nudged'] }
      ]
    })
    await activate(ctx, j.id)
    const quiet = await createCustomer(ctx, { tags: ['vip'] })
    const buyer = await createCustomer(ctx, { tags: ['vip'] })
    const leaver = await createCustomer(ctx, { tags: ['vip'] })
    const ignored = await createCustomer(ctx, { tags: ['vip'] })
    for (const c of [quiet, buyer, leaver]) await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${c.id}`, { tier: 'B' })
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${ignored.id}`, { company: 'Acme' })
    await engine(ctx).drain(new Date())
    const r = await ctx.gql(ctx.adminToken, ENROLLMENTS, { f: { journeyId: j.id } })
    t.equal(r.data.journeyEnrollments.totalCount, 3, 'only the tier change triggers')
    t.ok(r.data.journeyEnrollments.edges.every((e: { node: { stepKey: string; dueAt: string } }) => e.node.stepKey === 'ordered' && Date.parse(e.node.dueAt) > Date.now() + 13 * DAY))
    await recordOrder(ctx, buyer.id)
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${leaver.id}`, { tags: [] })
    await engine(ctx).drain(later(14 * DAY + 60_000))
    const byCustomer = new Map((await ctx.gql(ctx.adminToken, ENROLLMENTS, { f: { journeyId: j.id } })).data.journeyEnrollments.edges
      .map((e: { node: { customerId: string } }) => [e.node.customerId, e.node]))
    t.match(byCustomer.get(quiet.id), { status: 'completed', steps: [{ stepKey: 'wait' }, { stepKey: 'ordered', detail: { branch: 'then' } }, { stepKey: 'nudge', outcome: 'completed' }] })
    t.match(byCustomer.get(buyer.id), { status: 'completed', steps: [{ stepKey: 'wait' }, { stepKey: 'ordered', detail: { branch: 'else' } }] })
    t.match(byCustomer.get(leaver.id), { status: 'exited', exitReason: 'conditions_not_met', steps: [{ stepKey: 'wait' }, { stepKey: 'ordered', outcome: 'skipped', reason: 'conditions_not_met' }] })
    const counts = (await ctx.gql(ctx.adminToken, COUNTS, { id: j.id })).data.journey.stepCounts
    t.match(counts.find((s: { stepKey: string }) => s.stepKey === 'ordered'), { entered: 3, completed: 2, skipped: 1 })
  })

  await t.test('audience entry enrolls those who enter after activation (or everyone with includeExisting); leaving is a trigger too', async (t) => {
    const before = await createCustomer(ctx, { tags: ['at-risk-test'] })
    const enter = await createJourney(ctx, { name: 'Entered', trigger: { type: 'audience', audience: { tags: ['at-risk-test'] }, on: 'enter' }, steps: [{ key: 't', type: 'tag', add: ['entered'] }] })
    const all = await createJourney(ctx, { name: 'All', trigger: { type: 'audience', audience: { tags: ['at-risk-test'] }, on: 'enter', includeExisting: true }, steps: [{ key: 't', type: 'tag', add: ['seen'] }] })
    const leave = await createJourney(ctx, { name: 'Left', trigger: { type: 'audience', audience: { tags: ['at-risk-test'] }, on: 'leave' }, steps: [{ key: 't', type: 'tag', add: ['left'] }] })
    for (const j of [enter, all, leave]) await activate(ctx, j.id)
    const after = await createCustomer(ctx, { tags: ['at-risk-test'] })
    await engine(ctx).scan(new Date())
    await engine(ctx).drain(new Date())
    const ids = async (id: string) => (await ctx.sql<{ customer_id: string }>('select customer_id from journey_enrollments where journey_id = $1 order by customer_id', [id])).map((r) => r.customer_id)
    t.same(await ids(enter.id), [after.id])
    t.same(await ids(all.id), [before.id, after.id].sort())
    t.same(await ids(leave.id), [])
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${before.id}`, { tags: [] })
    await engine(ctx).scan(new Date(Date.now() + 1000))
    t.same(await ids(leave.id), [before.id])
    await engine(ctx).scan(new Date(Date.now() + 2000))
    t.same(await ids(enter.id), [after.id], 'a scan with no change enrolls no one')
  })

  await t.test('inactivity and birthdays in the reporting time zone; a date journey comes back a year later', async (t) => {
    const dormant = await createJourney(ctx, { name: 'Dormant', trigger: { type: 'inactivity', days: 30, measure: 'order' }, conditions: { tags: ['dormancy-test'] }, steps: [{ key: 't', type: 'tag', add: ['dormant'] }] })
    const bday = await createJourney(ctx, { name: 'Birthday', trigger: { type: 'date', field: 'birthday', daysBefore: 3 }, conditions: { tags: ['bday-test'] }, steps: [{ key: 't', type: 'tag', add: ['bday'] }] })
    for (const j of [dormant, bday]) await activate(ctx, j.id)
    const quiet = await createCustomer(ctx, { tags: ['dormancy-test'] })
    const active = await createCustomer(ctx, { tags: ['dormancy-test'] })
    await recordOrder(ctx, active.id)
    await ctx.sql("update customers set created_at = now() - interval '40 days' where id = any($1::uuid[])", [[quiet.id, active.id]])
    const in3 = new Date(Date.now() + 3 * DAY + 8 * 3_600_000).toISOString().slice(5, 10)
    const born = await createCustomer(ctx, { tags: ['bday-test'], birthday: `1990-${in3}` })
    await createCustomer(ctx, { tags: ['bday-test'], birthday: '1990-01-01' === `1990-${in3}` ? '1990-06-15' : '1990-01-01' })
    await engine(ctx).scan(new Date())
    const ids = async (id: string) => (await ctx.sql<{ customer_id: string }>('select customer_id from journey_enrollments where journey_id = $1', [id])).map((r) => r.customer_id)
    t.same(await ids(dormant.id), [quiet.id], 'only the one without an order in 30 days')
    t.same(await ids(bday.id), [born.id])
    await engine(ctx).scan(later(2 * 3_600_000))
    t.equal((await ids(bday.id)).length, 1, 'once on the day')
    await engine(ctx).drain(new Date())
    await engine(ctx).scan(later(365 * DAY))
    t.equal((await ids(bday.id)).length, 2, 'again next year')
  })
}, { JOURNEY_WORKER_ENABLED: 'false' })
