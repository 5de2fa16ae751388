import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { ReferralOrder } from './referrals.service.js'

type ListArgs = { first?: number; after?: string; filter?: unknown; orderBy?: ReferralOrder }
type Versioned = { id: string; expectedVersion?: number | null }

const meta = (ctx: MercuriusContext) => ({ ip: null, requestId: ctx.reply?.request.id ?? null })

export const referralsResolvers: IResolvers = {
  Query: {
    referral: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.referrals.get(actorOf(ctx), id).catch(nullIfNotFound),
    referrals: async (_root: unknown, args: ListArgs, ctx) => {
      const page = await ctx.services.referrals.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'createdAt', direction: 'DESC' }, args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    submitReferral: (_root: unknown, { input }: { input: Record<string, unknown> }, ctx) =>
      payload(() => ctx.services.referrals.submit(actorOf(ctx), input)),
    confirmReferralConsent: (_root: unknown, { token, input }: { token: string; input: Record<string, unknown> }, ctx) =>
      payload(async () => {
        const actor = actorOf(ctx)
        const row = await ctx.services.referrals.confirmConsent(actor, { ...input, token }, meta(ctx))
        return { referral: ctx.services.referrals.toView(actor, row) }
      }),
    issueReferralConsentToken: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(() => ctx.services.referrals.issueConsentToken(actorOf(ctx), id)),
    qualifyReferral: (_root: unknown, { id, expectedVersion }: Versioned, ctx) =>
      payload(async () => ({ referral: await ctx.services.referrals.qualify(actorOf(ctx), id, expectedVersion ?? undefined) })),
    rejectReferral: (_root: unknown, { id, expectedVersion, reason, detail }: Versioned & { reason: string; detail?: string | null }, ctx) =>
      payload(async () => ({
        referral: await ctx.services.referrals.reject(actorOf(ctx), id, { reason, ...(detail != null ? { detail } : {}) }, expectedVersion ?? undefined)
      }))
  }
}
