import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import type { TestApp } from '../../helper.js'
import { convert, createReferrer, createRule, newPhone } from '../incentives/support.js'

/** Instants around the October 2026 period in Shanghai: whole local days, at midnight or the last ms before the next. */
const BASE = new Date('2026-10-01T00:00:00+08:00').getTime()
const DAY = 86_400_000
export const instantArb = fc.record({ day: fc.integer({ min: -8, max: 40 }), at: fc.constantFrom(0, 1, DAY / 2, DAY - 1) })
  .map(({ day, at }) => new Date(BASE + day * DAY + at))
export const dateArb = fc.integer({ min: -8, max: 40 }).map((d) => new Date(BASE + d * DAY + 8 * 3600_000).toISOString().slice(0, 10))

const currencyArb = fc.constantFrom('CNY', 'CNY', 'USD')
const refundArb = fc.record({ part: fc.constantFrom(0.25, 0.5, 1), afterDays: fc.integer({ min: 0, max: 30 }), at: fc.constantFrom(0, 1, DAY - 1) })
const orderArb = fc.record({ amount: fc.integer({ min: 100, max: 100_000 }), currency: currencyArb, paid: instantArb, refunds: fc.array(refundArb, { maxLength: 2 }) })

export const worldArb = fc.record({
  audience: fc.integer({ min: 0, max: 2 }),
  referrals: fc.array(fc.record({
    campaign: fc.integer({ min: 0, max: 1 }), referrer: fc.integer({ min: 0, max: 2 }),
    channel: fc.constantFrom('api', 'form', 'link', 'qr', 'import'), submitted: instantArb,
    convert: fc.boolean(), convertAfter: fc.integer({ min: 0, max: 12 }), orders: fc.array(orderArb, { maxLength: 2 })
  }), { maxLength: 6 }),
  directOrders: fc.array(fc.record({ campaign: fc.integer({ min: 0, max: 1 }), order: orderArb }), { maxLength: 2 }),
  leads: fc.array(fc.record({ campaign: fc.integer({ min: 0, max: 1 }), created: instantArb, deleted: fc.boolean() }), { maxLength: 3 }),
  costs: fc.array(fc.record({ campaign: fc.integer({ min: 0, max: 1 }), amount: fc.integer({ min: 1, max: 50_000 }), currency: currencyArb, day: dateArb, deleted: fc.boolean() }), { maxLength: 4 }),
  /** Per pending reward, in order: 0 leave pending, 1 approve, 2 approve and pay. */
  rewardMoves: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 12, maxLength: 12 }),
  approvedAts: fc.array(instantArb, { minLength: 12, maxLength: 12 })
})
export type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never

const on = (day: number, at = DAY / 2) => new Date(BASE + day * DAY + at)
/**
 * A world that surely has what random ones may miss in a few runs: a refund in the period of an
 * order paid before it, reversals of approved and paid rewards, costs (one deleted), both currencies.
 */
export const richWorld: World = {
  audience: 2,
  referrals: [
    { campaign: 0, referrer: 0, channel: 'qr', submitted: on(1, 0), convert: true, convertAfter: 1, orders: [
      { amount: 10_000, currency: 'CNY', paid: on(-3), refunds: [{ part: 0.5, afterDays: 6, at: 0 }] },
      { amount: 20_000, currency: 'CNY', paid: on(3), refunds: [{ part: 0.25, afterDays: 2, at: 1 }] }
    ] },
    { campaign: 0, referrer: 1, channel: 'link', submitted: on(0, 0), convert: false, convertAfter: 0, orders: [] },
    { campaign: 1, referrer: 1, channel: 'form', submitted: on(2, DAY - 1), convert: true, convertAfter: 0, orders: [
      { amount: 5000, currency: 'USD', paid: on(4), refunds: [{ part: 1, afterDays: 1, at: 0 }] }
    ] }
  ],
  directOrders: [{ campaign: 1, order: { amount: 7000, currency: 'CNY', paid: on(5), refunds: [] } }],
  leads: [{ campaign: 0, created: on(1, 0), deleted: false }, { campaign: 1, created: on(2), deleted: true }],
  costs: [
    { campaign: 0, amount: 3000, currency: 'CNY', day: '2026-10-03', deleted: false },
    { campaign: 1, amount: 100, currency: 'USD', day: '2026-10-01', deleted: true },
    { campaign: 1, amount: 250, currency: 'USD', day: '2026-10-02', deleted: false }
  ],
  rewardMoves: [2, 1, 2, 2, 1, 2, 2, 1, 2, 2, 1, 2],
  approvedAts: Array.from({ length: 12 }, (_v, i) => on(1 + i, i % 2 ? 0 : DAY - 1))
}

async function ok(res: Promise<{ statusCode: number; body: string; json(): any }>, status: number, what: string): Promise<any> {
  const r = await res
  if (r.statusCode !== status) throw new Error(`${what}: ${r.statusCode} ${r.body}`)
  return r.statusCode === 204 ? null : r.json()
}

/**
 * Builds a world through the public API (campaigns with incentive rules, referrals converted,
 * orders and refunds, rewards approved and paid, reversals by refunds, leads, costs), then
 * backdates the times the API stamps with "now" (submission, conversion, lead creation,
 * approval) with SQL. Returns the two campaigns' ids.
 */
export async function buildWorld(ctx: TestApp, w: World): Promise<{ ids: string[]; tag: string }> {
  const admin = ctx.adminToken
  const tag = `aud-${randomBytes(4).toString('hex')}`
  const ids: string[] = []
  for (const [i, audience] of [{ tags: [tag] }, null].entries()) {
    ids.push((await ok(ctx.rest(admin, 'POST', '/api/v1/campaigns', { name: `活动 ${i} ${tag}`, status: 'active', audience }), 201, 'campaign')).id)
  }
  for (let i = 0; i < w.audience; i++) await ok(ctx.rest(admin, 'POST', '/api/v1/customers', { name: `受众 ${i}`, tags: [tag] }), 201, 'customer')
  for (const campaignId of ids) {
    await createRule(ctx, { campaignId, trigger: 'referral_converted', calc: 'fixed', rewardType: 'cash', amount: 1000, approval: 'auto' })
    await createRule(ctx, { campaignId, trigger: 'referral_qualified', calc: 'points', rewardType: 'points', amount: 50, approval: 'auto' })
    await createRule(ctx, { campaignId, trigger: 'order_paid', calc: 'percentage', rewardType: 'cash', percentBp: 1000, currency: 'CNY', approval: 'manual', holdDays: 0 })
    await createRule(ctx, { campaignId, trigger: 'order_paid', calc: 'percentage', rewardType: 'coupon', couponCode: 'VIP-USD', percentBp: 500, currency: 'USD', approval: 'manual', holdDays: 0 })
  }
  const referrers = [await createReferrer(ctx), await createReferrer(ctx), await createReferrer(ctx)]

  const refunds: { orderId: string; amount: number; currency: string; at: Date }[] = []
  const record = async (customerId: string, o: World['directOrders'][number]['order'], campaignId?: string) => {
    const order = await ok(ctx.rest(admin, 'POST', '/api/v1/orders', {
      customerId, amount: { amount: o.amount, currency: o.currency }, paidAt: o.paid.toISOString(), ...(campaignId ? { campaignId } : {})
    }), 201, 'order')
    let left = o.amount
    let at = o.paid.getTime()
    for (const f of o.refunds) {
      const amount = Math.min(left, Math.max(1, Math.round(o.amount * f.part)))
      at = Math.min(at + f.afterDays * DAY + f.at, Date.now())
      if (amount > 0) refunds.push({ orderId: order.id, amount, currency: o.currency, at: new Date(at) })
      left -= amount
    }
  }
  for (const r of w.referrals) {
    const referral = await ok(ctx.rest(admin, 'POST', '/api/v1/referrals', {
      referrerId: referrers[r.referrer].id, name: `被推荐 ${randomBytes(3).toString('hex')}`, phone: newPhone(), campaignId: ids[r.campaign], channel: r.channel
    }), 201, 'referral')
    const converted = r.convert ? new Date(r.submitted.getTime() + r.convertAfter * DAY) : null
    if (r.convert && !referral.leadId) throw new Error(`no lead: ${JSON.stringify(referral)}`)
    if (r.convert) {
      const customerId = await convert(ctx, referral.leadId)
      for (const o of r.orders) await record(customerId, o)
    }
    await ctx.sql('update referrals set submitted_at = $2, converted_at = $3 where id = $1', [referral.id, r.submitted, converted])
    await ctx.sql('update leads set created_at = $2 where id = $1', [referral.leadId, r.submitted])
  }
  for (const d of w.directOrders) {
    const customer = await ok(ctx.rest(admin, 'POST', '/api/v1/customers', { name: `直接客户 ${randomBytes(3).toString('hex')}` }), 201, 'customer')
    await record(customer.id, d.order, ids[d.campaign])
  }
  // Rewards move before the refunds, so refunds reverse approved and paid rewards as well as pending ones.
  const pending = await ctx.sql<{ id: string }>("select id from rewards where campaign_id = any($1::uuid[]) and status = 'pending' and kind = 'reward' order by id", [ids])
  for (const [i, { id }] of pending.entries()) {
    const move = w.rewardMoves[i % w.rewardMoves.length]
    if (move >= 1) await ok(ctx.rest(admin, 'POST', `/api/v1/rewards/${id}/approve`), 200, 'approve')
    if (move >= 2) await ok(ctx.rest(admin, 'POST', `/api/v1/rewards/${id}/pay`, { payoutReference: `PAY-${i}` }), 200, 'pay')
  }
  for (const f of refunds.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    await ok(ctx.rest(admin, 'POST', `/api/v1/orders/${f.orderId}/refunds`, { amount: { amount: f.amount, currency: f.currency }, refundedAt: f.at.toISOString() }), 201, 'refund')
  }
  for (const l of w.leads) {
    const r = await ctx.gql(admin, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { message } } }',
      { i: { source: 'event', name: `线索 ${randomBytes(3).toString('hex')}`, campaignId: ids[l.campaign] } })
    const id = r.data.createLead.lead.id
    await ctx.sql('update leads set created_at = $2 where id = $1', [id, l.created])
    if (l.deleted) await ctx.gql(admin, `mutation { deleteLead(id: "${id}") { deletedId } }`)
  }
  for (const k of w.costs) {
    const cost = await ok(ctx.rest(admin, 'POST', `/api/v1/campaigns/${ids[k.campaign]}/costs`, { amount: k.amount, currency: k.currency, category: '物料', incurredOn: k.day }), 201, 'cost')
    if (k.deleted) await ok(ctx.rest(admin, 'DELETE', `/api/v1/campaigns/${ids[k.campaign]}/costs/${cost.id}`), 204, 'delete cost')
  }
  const approved = await ctx.sql<{ id: string }>('select id from rewards where campaign_id = any($1::uuid[]) and approved_at is not null order by id', [ids])
  for (const [i, { id }] of approved.entries()) await ctx.sql('update rewards set approved_at = $2 where id = $1', [id, w.approvedAts[i % w.approvedAts.length]])
  return { ids, tag }
}
