import type { IResolvers } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { User } from '../users/users.service.js'
import type { Survey, SurveyOrder, SurveyResponse } from './surveys.service.js'

type ListArgs<O> = { first?: number; after?: string; filter?: unknown; orderBy?: O }

export const surveysResolvers: IResolvers = {
  Query: {
    survey: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.surveys.get(actorOf(ctx), id).catch(nullIfNotFound),
    surveys: async (_root: unknown, args: ListArgs<SurveyOrder>, ctx) => {
      const page = await ctx.services.surveys.list(actorOf(ctx), args.filter, args.orderBy ?? { field: 'createdAt', direction: 'DESC' }, args)
      return toConnection(page, page.count)
    },
    surveyResponse: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.surveys.response(actorOf(ctx), id).catch(nullIfNotFound),
    surveyResponses: async (_root: unknown, args: ListArgs<{ direction: 'ASC' | 'DESC' }>, ctx) => {
      const page = await ctx.services.surveys.responses(actorOf(ctx), args.filter, args.orderBy?.direction ?? 'DESC', args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    createSurvey: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ survey: await ctx.services.surveys.create(actorOf(ctx), input) })),
    updateSurvey: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ survey: await ctx.services.surveys.update(actorOf(ctx), id, input) })),
    inviteReferrer: (_root: unknown, { customerId }: { customerId: string }, ctx) =>
      payload(() => ctx.services.surveys.inviteReferrer(actorOf(ctx), customerId))
  }
}

const users = (ctx: Parameters<typeof actorOf>[0], ids: string[]) => ctx.services.users.findMany(actorOf(ctx), ids)

export const surveysLoaders = {
  SurveyResponse: {
    survey: byForeignKey<SurveyResponse, Survey>((r) => r.surveyId, (ctx, ids) => ctx.services.surveys.findMany(actorOf(ctx), ids)),
    customer: byForeignKey<SurveyResponse, Customer>((r) => r.customerId, nullIfForbidden((ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids))),
    agent: byForeignKey<SurveyResponse, User>((r) => r.agentId, nullIfForbidden(users))
  },
  Customer: {
    satisfaction: async (queries: LoaderQuery<Customer>[], ctx: Parameters<typeof actorOf>[0]) =>
      ctx.services.surveys.satisfactionOf(actorOf(ctx), queries.map((q) => q.obj.id))
  }
}
