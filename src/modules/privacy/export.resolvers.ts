import type { IResolvers } from 'mercurius'
import { actorOf } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'

const withoutNulls = (input: unknown): unknown =>
  input === null || typeof input !== 'object' || Array.isArray(input) ? input : Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))

export const privacyExportResolvers: IResolvers = {
  Mutation: {
    personalDataExport: (_root: unknown, { subject }: { subject: unknown }, ctx) =>
      payload(async () => ({ export: await ctx.services.privacyExport.document(actorOf(ctx), withoutNulls(subject)) }))
  }
}
