import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfNotFound } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { ApiKey, Team, User } from './users.service.js'

type PageArgs = { first?: number; after?: string; filter?: unknown }

export const usersResolvers: IResolvers = {
  Query: {
    me: (_root: unknown, _args: unknown, ctx) => actorOf(ctx),
    user: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.users.get(actorOf(ctx), id).catch(nullIfNotFound),
    users: async (_root: unknown, args: PageArgs, ctx) => {
      const page = await ctx.services.users.list(actorOf(ctx), args.filter, args)
      return toConnection(page, page.count)
    },
    teams: (_root: unknown, _args: unknown, ctx) => ctx.services.users.listTeams(actorOf(ctx)),
    apiKeys: (_root: unknown, _args: unknown, ctx) => ctx.services.users.listApiKeys(actorOf(ctx))
  },
  Mutation: {
    createTeam: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ team: await ctx.services.users.createTeam(actorOf(ctx), input) })),
    createUser: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ user: await ctx.services.users.create(actorOf(ctx), input) })),
    updateUser: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ user: await ctx.services.users.update(actorOf(ctx), id, input) })),
    createApiKey: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(() => ctx.services.users.createApiKey(actorOf(ctx), input)),
    revokeApiKey: (_root: unknown, { id }: { id: string }, ctx) =>
      payload(async () => ({ apiKey: await ctx.services.users.revokeApiKey(actorOf(ctx), id) }))
  }
}

export const usersLoaders = {
  Me: {
    user: byForeignKey<{ userId: string | null }, User>((me) => me.userId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids))
  },
  User: {
    team: byForeignKey<User, Team>((u) => u.teamId, (ctx, ids) => ctx.services.users.teamsByIds(actorOf(ctx), ids))
  },
  Team: {
    members: async (queries: { obj: Team }[], ctx: Parameters<typeof actorOf>[0]) =>
      ctx.services.users.membersOf(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  ApiKey: {
    user: byForeignKey<ApiKey, User>((k) => k.userId, (ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids))
  }
}

