import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { Referrer } from '../referrers/referrers.service.js'

type Page = { first?: number; after?: string; filter?: unknown }
const withoutNulls = (input: unknown): unknown =>
  input === null || typeof input !== 'object' || Array.isArray(input) ? input : Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))

export const consentsResolvers: IResolvers = {
  Query: {
    consents: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.consents.list(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    recordConsent: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ consent: await ctx.services.consents.record(actorOf(ctx), withoutNulls(input)) })),
    withdrawConsent: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ consent: await ctx.services.consents.withdraw(actorOf(ctx), withoutNulls(input)) }))
  }
}

export const consentsLoaders = {
  Customer: {
    consents: (queries: LoaderQuery<Customer, unknown>[], ctx: MercuriusContext) => ctx.services.consents.currentOf(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  Referrer: {
    consents: (queries: LoaderQuery<Referrer, unknown>[], ctx: MercuriusContext) => ctx.services.consents.currentOfReferrers(actorOf(ctx), queries.map((q) => q.obj.id))
  }
}
