import type { IResolvers } from 'mercurius'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import { startReseal } from './pii-keys.start.js'

export const piiKeysResolvers: IResolvers = {
  Query: {
    piiKeyStatus: (_root: unknown, _args: unknown, ctx) => ctx.services.piiKeys.status(actorOf(ctx))
  },
  Mutation: {
    startPiiReseal: (_root: unknown, _args: unknown, ctx) => payload(() => startReseal(ctx.app, actorOf(ctx)))
  }
}
