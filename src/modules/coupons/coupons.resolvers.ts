import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import { CrmError } from '../../errors.js'
import { translate } from '../../i18n/translate.js'
import type { Customer } from '../customers/customers.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { CouponTemplateView, CouponView } from './coupons.views.js'

type Page = { first?: number; after?: string; filter?: unknown }
type HolderCoupons = { status?: string | null; first?: number | null }

/** GraphQL input objects carry explicit nulls for fields left out in variables; the TypeBox schemas read absent. */
function withoutNulls(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))
}

export const couponsResolvers: IResolvers = {
  Query: {
    couponTemplates: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.couponTemplates.list(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    },
    couponTemplate: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.couponTemplates.get(actorOf(ctx), id).catch(nullIfNotFound),
    coupons: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.coupons.list(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    },
    coupon: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.coupons.get(actorOf(ctx), id).catch(nullIfNotFound),
    couponByCode: (_root: unknown, { code }: { code: string }, ctx) => ctx.services.coupons.byCode(actorOf(ctx), code).catch(nullIfNotFound),
    couponBatch: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.coupons.batch(actorOf(ctx), id).catch(nullIfNotFound),
    couponRedemption: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.coupons.redemption(actorOf(ctx), id).catch(nullIfNotFound),
    validateCoupon: async (_root: unknown, args: Record<string, unknown>, ctx) => {
      const v = await ctx.services.coupons.validate(actorOf(ctx), withoutNulls(args))
      return { ...v, message: translate(v.message, ctx.locale) }
    }
  },
  Mutation: {
    createCouponTemplate: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ template: await ctx.services.couponTemplates.create(actorOf(ctx), withoutNulls(input)) })),
    updateCouponTemplate: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ template: await ctx.services.couponTemplates.update(actorOf(ctx), id, input) })),
    issueCoupon: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ coupon: await ctx.services.coupons.issue(actorOf(ctx), withoutNulls(input)) })),
    issueCoupons: (_root: unknown, { input }: { input: { templateId: string; quantity: number } }, ctx) =>
      payload(async () => {
        const batch = await ctx.services.coupons.issueBatch(actorOf(ctx), input.templateId, { quantity: input.quantity })
        if (batch.status === 'pending') await ctx.app.jobs?.send('coupon-batches')
        return { batch }
      }),
    assignCoupon: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ coupon: await ctx.services.coupons.assign(actorOf(ctx), withoutNulls(input)) })),
    redeemCoupon: (_root: unknown, { input }: { input: unknown }, ctx) => payload(() => ctx.services.coupons.redeem(actorOf(ctx), withoutNulls(input))),
    voidCoupon: (_root: unknown, { id, reason }: { id: string; reason: string }, ctx) =>
      payload(async () => ({ coupon: await ctx.services.coupons.void(actorOf(ctx), id, { reason }) })),
    restoreCoupon: (_root: unknown, { redemptionId, reason }: { redemptionId: string; reason?: string | null }, ctx) =>
      payload(() => ctx.services.coupons.restore(actorOf(ctx), redemptionId, reason != null ? { reason } : {}))
  }
}

const holderLoader = (column: 'customer' | 'referrer') =>
  async (queries: LoaderQuery<{ id: string }, HolderCoupons>[], ctx: MercuriusContext): Promise<CouponView[][]> => {
    // Queries with the same arguments load together: one statement per distinct (status, first).
    const groups = new Map<string, { status: string | null; first: number; at: number[] }>()
    queries.forEach((q, i) => {
      const status = q.params.status ?? null
      const first = Math.min(Math.max(q.params.first ?? 20, 0), 200)
      const key = `${status}:${first}`
      const g = groups.get(key) ?? { status, first, at: [] }
      g.at.push(i)
      groups.set(key, g)
    })
    const out: CouponView[][] = queries.map(() => [])
    for (const g of groups.values()) {
      const ids = g.at.map((i) => queries[i].obj.id)
      const found = await ctx.services.coupons.ofHolders(actorOf(ctx), column, ids, g.status, g.first).catch((err: unknown) => {
        if (err instanceof CrmError && err.code === 'CRM_ERR_FORBIDDEN') return ids.map(() => [])
        throw err
      })
      g.at.forEach((i, k) => { out[i] = found[k] })
    }
    return out
  }

const templates = byForeignKey<{ templateId?: string | null; couponTemplateId?: string | null }, CouponTemplateView>(
  (o) => o.templateId ?? o.couponTemplateId, nullIfForbidden((cx, ids) => cx.services.couponTemplates.findMany(actorOf(cx), ids)))

export const couponsLoaders = {
  Coupon: { template: templates },
  IncentiveRule: { couponTemplate: templates },
  Customer: { coupons: holderLoader('customer') as (q: LoaderQuery<Customer, HolderCoupons>[], ctx: MercuriusContext) => Promise<CouponView[][]> },
  Referrer: { coupons: holderLoader('referrer') as (q: LoaderQuery<Referrer, HolderCoupons>[], ctx: MercuriusContext) => Promise<CouponView[][]> }
}
