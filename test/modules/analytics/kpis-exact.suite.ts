import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { kpisHandwritten } from '../../bench/analytics/queries/kpis.js'
import { convertLead, createCustomer, createReferrer, hex, newPhone, parseCsv, recordOrder, refundOrder, shanghai, submitReferral } from './leaderboard-kpis-support.js'
import { modelKpis } from './kpis-model.js'

const DAY = 86_400_000
const BASE = shanghai('2026-06-01')
const NAMES = ['leadConversionRate', 'averageSalesCycleSeconds', 'repurchaseRate', 'referralRate', 'activeReferrers', 'churnedCustomers', 'customersPerRep', 'satisfaction']
const KPIS = `query($p: ReportPeriodInput) { kpis(period: $p) { period { from to previousFrom previousTo } ${NAMES.map((n) => `${n} { value previous change }`).join(' ')} } }`

const instant = fc.record({ day: fc.integer({ min: -8, max: 8 }), ms: fc.oneof(fc.constant(0), fc.constant(-1), fc.integer({ min: 1, max: DAY - 1 })) })
const at = (i: { day: number; ms: number }) => new Date(BASE.getTime() + i.day * DAY + i.ms).toISOString()
const owner = fc.integer({ min: 0, max: 2 })

const scenario = fc.record({
  leads: fc.array(fc.record({ owner, created: instant, convertAfterDays: fc.option(fc.integer({ min: 0, max: 6 })), deleted: fc.integer({ min: 0, max: 9 }).map((n) => n < 1) }), { maxLength: 3 }),
  customers: fc.array(fc.record({
    owner: fc.option(owner), created: instant, churnAt: fc.option(instant), createdChurned: fc.integer({ min: 0, max: 9 }).map((n) => n < 1),
    orders: fc.array(fc.record({ paid: instant, amount: fc.integer({ min: 2, max: 9_999 }), refund: fc.option(fc.record({ afterDays: fc.integer({ min: 0, max: 8 }), full: fc.boolean() })) }), { maxLength: 3 }),
    referral: fc.option(instant), won: fc.option(fc.record({ created: instant, cycleSeconds: fc.integer({ min: 1, max: 40 * 86_400 }) }))
  }), { minLength: 1, maxLength: 4 }),
  merge: fc.boolean(), deleteOne: fc.boolean(), deactivate: fc.boolean(),
  days: fc.integer({ min: 1, max: 7 })
})

/** Run first, so every case is reached whatever the random runs draw. */
const everyCase = {
  leads: [{ owner: 0, created: { day: 0, ms: 0 }, convertAfterDays: 1, deleted: false }, { owner: 1, created: { day: -1, ms: -1 }, convertAfterDays: 2, deleted: false }],
  customers: [
    { owner: 0, created: { day: -3, ms: 0 }, churnAt: { day: 1, ms: 0 }, createdChurned: false, referral: { day: 0, ms: 1 }, won: { created: { day: -5, ms: 0 }, cycleSeconds: 6 * 86_400 },
      orders: [{ paid: { day: 0, ms: 0 }, amount: 500, refund: null }, { paid: { day: 1, ms: 0 }, amount: 700, refund: { afterDays: 2, full: true } }, { paid: { day: -1, ms: 0 }, amount: 900, refund: { afterDays: 2, full: false } }] },
    { owner: 1, created: { day: -2, ms: 0 }, churnAt: null, createdChurned: true, referral: null, won: null, orders: [{ paid: { day: 2, ms: 0 }, amount: 300, refund: null }] },
    { owner: 2, created: { day: 1, ms: 0 }, churnAt: null, createdChurned: false, referral: null, won: null, orders: [] }
  ],
  merge: true, deleteOne: true, deactivate: true, days: 4
}

void forEachDatabase(t, async (t, ctx) => {
  const gql = async (q: string, v?: Record<string, unknown>, token = ctx.adminToken) => {
    const r = await ctx.gql(token, q, v)
    if (r.errors) throw new Error(JSON.stringify(r.errors))
    return r.data
  }
  const team = await ctx.createTeam()
  const manager = await ctx.staff('manager', { teamId: team })
  const mate = await ctx.staff('sales', { teamId: team })
  const outsider = await ctx.staff('sales')
  const users = [manager.userId, mate.userId, outsider.userId]
  const teamOwners = new Set([manager.userId, mate.userId])

  const close = (t: any, got: number | null, want: number | null, what: string) =>
    want === null || got === null ? t.equal(got, want, what) : t.ok(Math.abs(got - want) < 1e-6 * Math.max(1, Math.abs(want)), `${what}: ${got} ≈ ${want}`)
  const compare = async (t: any, token: string, owners: Set<string> | null, from: Date, to: Date, label: string) => {
    const now = await modelKpis(ctx, from, to, owners)
    const prev = await modelKpis(ctx, new Date(2 * from.getTime() - to.getTime()), from, owners)
    const p = { from: from.toISOString(), to: to.toISOString() }
    const answers = {
      variables: (await gql(KPIS, { p }, token)).kpis,
      inline: (await gql(KPIS.replace('query($p: ReportPeriodInput) { kpis(period: $p)', `{ kpis(period: { from: "${p.from}", to: "${p.to}" })`), undefined, token)).kpis,
      rest: (await ctx.rest(token, 'GET', `/api/v1/analytics/kpis?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}`)).json()
    }
    const csv = parseCsv((await ctx.rest(token, 'GET', `/api/v1/analytics/kpis?from=${encodeURIComponent(p.from)}&to=${encodeURIComponent(p.to)}&format=csv`)).body)
    const cell = (v: string) => (v === '' ? null : Number(v))
    const fromCsv = Object.fromEntries(csv.map((r) => [r.kpi, { value: cell(r.value), previous: cell(r.previous), change: cell(r.change) }]))
    for (const [how, k] of Object.entries({ ...answers, csv: fromCsv })) {
      for (const n of NAMES) {
        close(t, k[n].value, now[n], `${label} ${how} ${n}`)
        close(t, k[n].previous, prev[n], `${label} ${how} ${n} previous`)
        const change = now[n] === null || prev[n] === null ? null : now[n]! - prev[n]!
        close(t, k[n].change, change, `${label} ${how} ${n} change`)
      }
    }
    t.equal(answers.rest.period.previousFrom, new Date(2 * from.getTime() - to.getTime()).toISOString())
  }

  await t.test('the KPIs equal the documented definitions over random leads, wins, orders, refunds, referrals, churn, merges and deletes, for each reach', async (t) => {
    const setActive = (active: boolean) => gql('mutation($id: ID!, $a: Boolean) { updateUser(id: $id, input: { active: $a }) { userErrors { message } } }', { id: outsider.userId, a: active })
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      // An inactive user is given no new records: the outsider is deactivated only after this run's writes.
      await setActive(true)
      for (const l of s.leads) {
        const r = await gql('mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { message } } }',
          { i: { source: 'web', name: `线索${hex()}`, phone: newPhone(), ownerId: users[l.owner] } })
        const id = r.createLead.lead?.id
        if (!id) throw new Error(`createLead: ${JSON.stringify(r.createLead.userErrors)}`)
        if (l.convertAfterDays !== null) {
          await convertLead(ctx, id)
          await ctx.sql('update leads set converted_at = $2 where id = $1', [id, new Date(new Date(at(l.created)).getTime() + l.convertAfterDays * DAY).toISOString()])
        }
        await ctx.sql('update leads set created_at = $2 where id = $1', [id, at(l.created)])
        if (l.deleted) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/leads/${id}`)
      }
      const ids: string[] = []
      for (const c of s.customers) {
        const id = await createCustomer(ctx, { ownerId: c.owner === null ? undefined : users[c.owner], ...(c.createdChurned ? { lifecycleStage: 'churned' } : {}) })
        ids.push(id)
        await ctx.sql('update customers set created_at = $2 where id = $1', [id, at(c.created)])
        await ctx.sql("update outbox_events set occurred_at = $2 where entity_id = $1 and type = 'customer.created'", [id, at(c.created)])
        if (c.churnAt && !c.createdChurned) {
          await gql('mutation($id: ID!) { updateCustomer(id: $id, input: { lifecycleStage: churned }) { userErrors { message } } }', { id })
          await ctx.sql("update outbox_events set occurred_at = $2 where entity_id = $1 and type = 'customer.updated'", [id, at(c.churnAt)])
        }
        for (const o of c.orders) {
          const order = await recordOrder(ctx, { customerId: id, amount: { amount: o.amount }, paidAt: at(o.paid) })
          if (o.refund) {
            const refundedAt = new Date(new Date(at(o.paid)).getTime() + o.refund.afterDays * DAY).toISOString()
            await refundOrder(ctx, { orderId: order.id, amount: { amount: o.refund.full ? o.amount : Math.floor(o.amount / 2) }, refundedAt })
          }
        }
        if (c.referral) {
          const ref = await createReferrer(ctx, { kind: 'customer', customerId: id, ownerId: c.owner === null ? undefined : users[c.owner] })
          const referral = await submitReferral(ctx, ref.id)
          await ctx.sql('update referrals set submitted_at = $2 where id = $1', [referral.id, at(c.referral)])
        }
        if (c.won) {
          const o = await gql('mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } userErrors { message } } }',
            { i: { customerId: id, name: `商机${hex()}`, ownerId: c.owner === null ? undefined : users[c.owner] } })
          const oid = o.createOpportunity.opportunity.id
          await gql('mutation($id: ID!) { moveOpportunityStage(id: $id, stage: won) { userErrors { message } } }', { id: oid })
          const created = new Date(at(c.won.created))
          await ctx.sql('update opportunities set created_at = $2, closed_at = $3 where id = $1', [oid, created.toISOString(), new Date(created.getTime() + c.won.cycleSeconds * 1000).toISOString()])
        }
      }
      if (s.merge && ids.length >= 2) await gql('mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { message } } }', { s: ids[0], m: [ids[1]] })
      if (s.deleteOne) await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${ids[ids.length - 1]}`)
      if (s.deactivate) await setActive(false)

      const from = BASE, to = new Date(BASE.getTime() + s.days * DAY)
      await compare(t, ctx.adminToken, null, from, to, 'admin')
      await compare(t, manager.token, teamOwners, from, to, 'manager')
      await compare(t, mate.token, teamOwners, from, to, 'sales in a team')
    }), { numRuns: Number(process.env.ANALYTICS_RUNS ?? 5), endOnFailure: true, examples: [[everyCase]] })
    const [seen] = await ctx.sql<Record<string, number>>(`select
      (select count(*)::int from outbox_events where type = 'customer.updated' and data #>> '{changes,lifecycleStage,to}' = 'churned') as churn_events,
      (select count(*)::int from order_refunds x join orders o on o.id = x.order_id where x.refunded_at >= o.paid_at + interval '1 day') as later_refunds,
      (select count(*)::int from customers where merged_into_id is not null) as merged,
      (select count(*)::int from customers where deleted_at is not null) as deleted,
      (select count(*)::int from opportunities where stage = 'won') as won,
      (select count(*)::int from leads where converted_at is not null) as converted`)
    t.ok(Object.values(seen).every((n) => n > 0), `the data reached every case: ${JSON.stringify(seen)}`)
  })

  await t.test('every other role reads everything; a referrer token may not read KPIs', async (t) => {
    const from = new Date(BASE.getTime() - 8 * DAY), to = new Date(BASE.getTime() + 8 * DAY)
    for (const role of ['marketing', 'service']) await compare(t, (await ctx.staff(role)).token, null, from, to, role)
    await compare(t, await ctx.keyToken('integration'), null, from, to, 'integration')
    await gql('mutation($id: ID!) { updateUser(id: $id, input: { active: true }) { userErrors { message } } }', { id: outsider.userId })
    await compare(t, outsider.token, new Set([outsider.userId]), from, to, 'sales without a team')
    const ref = await createReferrer(ctx)
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.id })).json().accessToken
    t.equal((await ctx.rest(token, 'GET', '/api/v1/analytics/kpis')).statusCode, 403)
    t.equal((await ctx.gql(token, KPIS)).errors?.[0]?.extensions?.code, 'FORBIDDEN')
  })

  await t.test('satisfaction is null until surveys exist; a bad period names its field', async (t) => {
    const k = (await gql(KPIS)).kpis
    t.same(k.satisfaction, { value: null, previous: null, change: null })
    const bad = await ctx.gql(ctx.adminToken, '{ kpis(period: { from: "2026-06-02T00:00:00Z", to: "2026-06-01T00:00:00Z" }) { activeReferrers { value } } }')
    t.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT')
    t.match(JSON.stringify(bad.errors?.[0]?.extensions), 'from')
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/kpis?from=2026-06-02&to=2026-06-01')
    t.equal(res.statusCode, 400)
    t.match(res.json().errors, [{ field: 'from' }])
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/analytics/kpis?to=someday')).statusCode, 400)
  })

  await t.test('the hand-written benchmark query answers what the report does', async (t) => {
    const from = new Date(BASE.getTime() - 6 * DAY), to = new Date(BASE.getTime() + 6 * DAY)
    const q = kpisHandwritten.sql({ from: from.toISOString(), to: to.toISOString(), tz: 'Asia/Shanghai' })
    const [hand] = await ctx.sql<any>(q.text, q.values)
    const k = (await gql(KPIS, { p: { from: from.toISOString(), to: to.toISOString() } })).kpis
    t.ok(k.activeReferrers.value > 0 && k.repurchaseRate.value !== null, 'the data has something to count')
    const pairs: [string, string][] = [['lead_conversion_rate', 'leadConversionRate'], ['average_sales_cycle_seconds', 'averageSalesCycleSeconds'], ['repurchase_rate', 'repurchaseRate'],
      ['referral_rate', 'referralRate'], ['active_referrers', 'activeReferrers'], ['churned_customers', 'churnedCustomers'], ['customers_per_rep', 'customersPerRep']]
    for (const [column, name] of pairs) close(t, hand[column] === null ? null : Number(hand[column]), k[name].value, name)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
