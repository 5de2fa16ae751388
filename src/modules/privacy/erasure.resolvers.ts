import type { IResolvers } from 'mercurius'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

const withoutNulls = (input: unknown): unknown =>
  input === null || typeof input !== 'object' || Array.isArray(input) ? input : Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]))

export const erasureResolvers: IResolvers = {
  Mutation: {
    erasePersonalData: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ erasure: await ctx.services.erasure.erase(actorOf(ctx), withoutNulls(input)) }))
  }
}
