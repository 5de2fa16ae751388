import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { LevelChange } from './levels.evaluate.js'
import type { CustomerLevelView, LevelChangeView, MemberLevelView } from './levels.views.js'

type Page = { first?: number; after?: string }

/** GraphQL input objects carry explicit nulls for fields left out in variables; the TypeBox schemas read absent (null thresholds excepted). */
function withoutNulls(input: unknown, keep: readonly string[] = []): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== null || keep.includes(k)))
}
/** Null clears these on update (no threshold; no externalId). */
const NULLABLE = ['minSpend', 'minPoints', 'externalId']

const move = (c: LevelChange | null) => (c ? { ...c, changeId: c.id, reachedAt: c.reachedAt.toISOString(), reviewAt: c.reviewAt?.toISOString() ?? null } : null)

export const levelsResolvers: IResolvers = {
  Query: {
    memberLevels: (_root: unknown, args: { active?: boolean | null }, ctx) =>
      ctx.services.levels.admin.list(actorOf(ctx), args.active != null ? { active: args.active } : {}),
    memberLevel: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.levels.admin.get(actorOf(ctx), id).catch(nullIfNotFound),
    memberLevelCounts: (_root: unknown, _args: unknown, ctx) => ctx.services.levels.counts(actorOf(ctx)),
    customerLevelHistory: async (_root: unknown, args: Page & { customerId: string }, ctx) => {
      const page = await ctx.services.levels.history(actorOf(ctx), args.customerId, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createMemberLevel: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ level: await ctx.services.levels.admin.create(actorOf(ctx), withoutNulls(input)) })),
    updateMemberLevel: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ level: await ctx.services.levels.admin.update(actorOf(ctx), id, withoutNulls(input, NULLABLE)) })),
    deactivateMemberLevel: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number | null }, ctx) =>
      payload(async () => ({ level: await ctx.services.levels.admin.deactivate(actorOf(ctx), id, expectedVersion ?? undefined) })),
    setCustomerLevel: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ change: move(await ctx.services.levels.setLevel(actorOf(ctx), withoutNulls(input))) })),
    evaluateCustomerLevel: (_root: unknown, { customerId }: { customerId: string }, ctx) =>
      payload(async () => ({ change: move(await ctx.services.levels.evaluate(actorOf(ctx), customerId)) })),
    reviewLevels: (_root: unknown, { input }: { input?: unknown }, ctx) =>
      payload(async () => ({ review: await ctx.services.levels.reviewNow(actorOf(ctx), withoutNulls(input ?? {})) }))
  },
  CustomerLevel: {
    history: async (parent: CustomerLevelView, args: Page, ctx) => {
      const page = await ctx.services.levels.history(actorOf(ctx), parent.customerId, args)
      return toConnection(page, page.count)
    }
  }
}

const levelsById = (ctx: MercuriusContext, ids: string[]) => ctx.services.levels.admin.findMany(actorOf(ctx), ids)

export const levelsLoaders = {
  Customer: {
    level: (queries: LoaderQuery<Customer>[], ctx: MercuriusContext) =>
      nullIfForbidden<CustomerLevelView>((c, ids) => c.services.levels.ofCustomers(actorOf(c), ids))(ctx, queries.map((q) => q.obj.id))
  },
  CustomerLevelChange: {
    from: byForeignKey<LevelChangeView, MemberLevelView>((c) => c.fromLevelId, nullIfForbidden(levelsById)),
    to: byForeignKey<LevelChangeView, MemberLevelView>((c) => c.toLevelId, nullIfForbidden(levelsById))
  },
  CustomerLevelMove: {
    from: byForeignKey<LevelChange, MemberLevelView>((c) => c.from.id, nullIfForbidden(levelsById)),
    to: byForeignKey<LevelChange, MemberLevelView>((c) => c.to.id, nullIfForbidden(levelsById))
  }
}
