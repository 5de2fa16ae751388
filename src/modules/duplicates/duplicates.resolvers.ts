import type { IResolvers, MercuriusContext } from 'mercurius'
import type { LoaderQuery } from '../../graphql/context.js'
import { toConnection } from '../../graphql/connection.js'
import { actorOf } from '../../graphql/context.js'
import type { DuplicateReason } from '../../rules/dedupe.js'
import type { DuplicateCandidate, DuplicateEntityName } from './duplicates.service.js'

type Args = { entity?: DuplicateEntityName; reasons?: DuplicateReason[] | null; first?: number; after?: string }

export const duplicatesResolvers: IResolvers = {
  Query: {
    duplicateCandidates: async (_root: unknown, args: Args, ctx) => {
      const page = await ctx.services.duplicates.candidates(actorOf(ctx), args.entity ?? 'CUSTOMER', args.reasons ?? undefined, args)
      return toConnection(page, page.count)
    }
  }
}

type Loaded<T> = (ctx: MercuriusContext, ids: string[]) => Promise<(T | null)[]>

/** The pairs' records in one read per page (not per pair); records the caller cannot see are left out. */
function pairRecords<T>(entity: DuplicateEntityName, load: Loaded<T>) {
  return async (queries: LoaderQuery<DuplicateCandidate>[], ctx: MercuriusContext): Promise<T[][]> => {
    const mine = queries.map((q) => q.obj.entity === entity ? q.obj.ids : [])
    const ids = [...new Set(mine.flat())]
    const found = ids.length > 0 ? await load(ctx, ids) : []
    const byId = new Map(ids.map((id, i) => [id, found[i]]))
    return mine.map((pair) => pair.map((id) => byId.get(id)).filter((r): r is T => r != null))
  }
}

export const duplicatesLoaders = {
  DuplicateCandidate: {
    customers: pairRecords('CUSTOMER', (ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)),
    referrers: pairRecords('REFERRER', (ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))
  }
}
