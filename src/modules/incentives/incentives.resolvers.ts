import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { RuleOrder } from './incentive-rules.service.js'
import type { RewardOrder, RewardTotal } from './rewards.service.js'

type ListArgs<O> = { first?: number; after?: string; filter?: unknown; orderBy?: O }
type Versioned = { id: string; expectedVersion?: number | null }
const version = (v: number | null | undefined) => v ?? undefined

export const incentivesResolvers: IResolvers = {
  Query: {
    incentiveRule: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.incentiveRules.get(actorOf(ctx), id).catch(nullIfNotFound),
    incentiveRules: async (_root: unknown, args: ListArgs<RuleOrder>, ctx) => {
      const page = await ctx.services.incentiveRules.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'createdAt', direction: 'DESC' }, args)
      return toConnection(page, page.count)
    },
    reward: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.rewards.get(actorOf(ctx), id).catch(nullIfNotFound),
    rewards: async (_root: unknown, args: ListArgs<RewardOrder>, ctx) => {
      const page = await ctx.services.rewards.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'createdAt', direction: 'DESC' }, args)
      return { ...toConnection(page, page.count), totals: page.totals }
    }
  },
  RewardConnection: {
    totals: (parent: { totals: () => Promise<RewardTotal[]> }) => parent.totals()
  },
  Mutation: {
    createIncentiveRule: (_root: unknown, { input }: { input: Record<string, unknown> }, ctx) =>
      payload(async () => ({ incentiveRule: await ctx.services.incentiveRules.create(actorOf(ctx), input) })),
    updateIncentiveRule: (_root: unknown, { id, input }: { id: string; input: Record<string, unknown> }, ctx) =>
      payload(async () => ({ incentiveRule: await ctx.services.incentiveRules.update(actorOf(ctx), id, input) })),
    previewIncentives: (_root: unknown, { event }: { event: Record<string, unknown> }, ctx) =>
      payload(() => ctx.services.incentiveRules.preview(actorOf(ctx), event)),
    approveReward: (_root: unknown, { id, expectedVersion }: Versioned, ctx) =>
      payload(async () => ({ reward: await ctx.services.rewards.approve(actorOf(ctx), id, version(expectedVersion)) })),
    markRewardPaid: (_root: unknown, args: Versioned & { payoutReference: string; paidAt?: string | null }, ctx) =>
      payload(async () => ({
        reward: await ctx.services.rewards.markPaid(actorOf(ctx), args.id, {
          payoutReference: args.payoutReference,
          ...(args.paidAt != null ? { paidAt: args.paidAt } : {}),
          ...(args.expectedVersion != null ? { expectedVersion: args.expectedVersion } : {})
        })
      })),
    cancelReward: (_root: unknown, args: Versioned & { reason: string }, ctx) =>
      payload(async () => ({
        reward: await ctx.services.rewards.cancel(actorOf(ctx), args.id, {
          reason: args.reason, ...(args.expectedVersion != null ? { expectedVersion: args.expectedVersion } : {})
        })
      }))
  }
}
