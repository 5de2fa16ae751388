import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

type Page = { first?: number; after?: string; filter?: unknown }

/** GraphQL input objects carry explicit nulls for fields left out in variables; TypeBox reads absent. */
const withoutNulls = (input: unknown): unknown =>
  input === null || typeof input !== 'object' || Array.isArray(input) ? input : Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))

export const templatesResolvers: IResolvers = {
  Query: {
    messageTemplates: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.messageTemplates.list(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    },
    messageTemplate: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.messageTemplates.get(actorOf(ctx), id).catch(nullIfNotFound)
  },
  Mutation: {
    createMessageTemplate: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ template: await ctx.services.messageTemplates.create(actorOf(ctx), withoutNulls(input)) })),
    // Nulls kept on update: `subject: null` clears it.
    updateMessageTemplate: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ template: await ctx.services.messageTemplates.update(actorOf(ctx), id, input) })),
    deleteMessageTemplate: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(() => ctx.services.messageTemplates.delete(actorOf(ctx), id))
  }
}
