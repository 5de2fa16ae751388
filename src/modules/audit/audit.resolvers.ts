import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf } from '../../graphql/context.js'

type PageArgs = { first?: number; after?: string; filter?: Record<string, unknown> | null }

/** GraphQL input nulls mean "no filter" for that field. */
function present(filter: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter ?? {}).filter(([, v]) => v !== null && v !== undefined))
}

export const auditResolvers: IResolvers = {
  Query: {
    auditEntries: async (_root: unknown, args: PageArgs, ctx) => {
      const page = await ctx.services.audit.list(actorOf(ctx), present(args.filter), args)
      return toConnection(page, page.count)
    }
  }
}
