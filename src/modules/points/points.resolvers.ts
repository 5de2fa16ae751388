import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { PointsBalance } from './points.service.js'
import type { LoyaltySettings } from './points.settings.js'

type Page = { first?: number; after?: string; filter?: unknown }
type HolderArgs = { customerId?: string | null; customerExternalId?: string | null; referrerId?: string | null }

/** GraphQL passes absent arguments as undefined and explicit nulls as null: both mean "not given". */
function holderOf(args: HolderArgs) {
  return {
    ...(args.customerId != null ? { customerId: args.customerId } : {}),
    ...(args.customerExternalId != null ? { customerExternalId: args.customerExternalId } : {}),
    ...(args.referrerId != null ? { referrerId: args.referrerId } : {})
  }
}

export const pointsResolvers: IResolvers = {
  Query: {
    pointsLedger: async (_root: unknown, args: HolderArgs & Page, ctx) => {
      const page = await ctx.services.points.ledger(actorOf(ctx), holderOf(args), args.filter, args)
      return toConnection(page, page.count)
    },
    pointsRedemption: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.points.redemption(actorOf(ctx), id).catch(nullIfNotFound),
    loyaltySettings: (_root: unknown, _args: unknown, ctx) => ctx.services.points.settings(actorOf(ctx)),
    pointsEarningRules: (_root: unknown, _args: unknown, ctx) => ctx.services.earningRules.list(actorOf(ctx))
  },
  Mutation: {
    redeemPoints: (_root: unknown, { input }: { input: unknown }, ctx) => payload(() => ctx.services.points.redeem(actorOf(ctx), withoutNulls(input))),
    reversePointsRedemption: (_root: unknown, { id, input }: { id: string; input?: unknown }, ctx) =>
      payload(async () => ({ redemption: await ctx.services.points.reverseRedemption(actorOf(ctx), id, withoutNulls(input ?? {})) })),
    adjustPoints: (_root: unknown, { input }: { input: unknown }, ctx) => payload(() => ctx.services.points.adjust(actorOf(ctx), withoutNulls(input))),
    createPointsEarningRule: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ rule: await ctx.services.earningRules.create(actorOf(ctx), input) })),
    updatePointsEarningRule: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ rule: await ctx.services.earningRules.update(actorOf(ctx), id, input) })),
    updateLoyaltySettings: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ settings: await ctx.services.points.updateSettings(actorOf(ctx), withoutNulls(input)) }))
  },
  LoyaltySettings: {
    expiryMonths: (s: LoyaltySettings) => s.months,
    expiryRounding: (s: LoyaltySettings) => s.rounding
  },
  PointsBalance: {
    ledger: async (parent: PointsBalance, args: Page, ctx) => {
      const page = await ctx.services.points.ledger(actorOf(ctx), parent.holder, args.filter, args)
      return toConnection(page, page.count)
    }
  }
}

/** GraphQL input objects carry explicit nulls for fields a client left out in variables; the TypeBox schemas read absent. */
function withoutNulls(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))
}

export const pointsLoaders = {
  Customer: {
    points: async (queries: LoaderQuery<Customer>[], ctx: MercuriusContext) =>
      nullIfForbidden<PointsBalance>((c, ids) => c.services.points.balancesOfCustomers(actorOf(c), ids))(ctx, queries.map((q) => q.obj.id))
  },
  Referrer: {
    points: async (queries: LoaderQuery<Referrer>[], ctx: MercuriusContext) =>
      nullIfForbidden<PointsBalance>((c, ids) => c.services.points.balancesOfReferrers(actorOf(c), ids))(ctx, queries.map((q) => q.obj.id))
  }
}
