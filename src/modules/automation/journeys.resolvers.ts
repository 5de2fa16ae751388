import type { IResolvers, MercuriusContext } from 'mercurius'
import { toConnection } from '../../graphql/connection.js'
import { actorOf, byForeignKey, nullIfForbidden, nullIfNotFound, type LoaderQuery } from '../../graphql/context.js'
import { payload } from '../../graphql/payload.js'
import type { Customer } from '../customers/customers.service.js'
import type { EnrollmentView, JourneyView } from './journeys.views.js'

type Page = { first?: number; after?: string; filter?: unknown }
type Transition = { id: string; expectedVersion?: number | null }

/** GraphQL input objects carry explicit nulls for fields left out in variables; the TypeBox schemas read absent. */
function withoutNulls(input: unknown): unknown {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return input
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null))
}

const transition = (op: 'activate' | 'pause' | 'archive') => (_root: unknown, { id, expectedVersion }: Transition, ctx: MercuriusContext) =>
  payload(async () => ({ journey: await ctx.services.journeys.transition(actorOf(ctx), id, op, expectedVersion ?? undefined) }))

export const journeysResolvers: IResolvers = {
  Query: {
    journeys: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.journeys.list(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    },
    journey: (_root: unknown, { id }: { id: string }, ctx) => ctx.services.journeys.get(actorOf(ctx), id).catch(nullIfNotFound),
    journeyEnrollments: async (_root: unknown, args: Page, ctx) => {
      const page = await ctx.services.journeys.enrollments(actorOf(ctx), withoutNulls(args.filter ?? {}), args)
      return toConnection(page, page.count)
    }
  },
  Mutation: {
    // conditions and reentry may be null on purpose (everyone; enter once): only the plain fields drop their nulls.
    createJourney: (_root: unknown, { input }: { input: Record<string, unknown> }, ctx) =>
      payload(async () => ({ journey: await ctx.services.journeys.create(actorOf(ctx), { ...(withoutNulls(input) as object), ...pick(input, ['conditions', 'reentry']) }) })),
    updateJourney: (_root: unknown, { id, input }: { id: string; input: Record<string, unknown> }, ctx) =>
      payload(async () => ({ journey: await ctx.services.journeys.update(actorOf(ctx), id, { ...(withoutNulls(input) as object), ...pick(input, ['conditions', 'reentry', 'description', 'externalId']) }) })),
    activateJourney: transition('activate'),
    pauseJourney: transition('pause'),
    archiveJourney: transition('archive')
  }
}

/** The named keys the caller actually sent (null included). */
function pick(input: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in input).map((k) => [k, input[k]]))
}

export const journeysLoaders = {
  Journey: {
    stepCounts: (queries: LoaderQuery<JourneyView>[], ctx: MercuriusContext) => ctx.services.journeys.stepCounts(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  JourneyEnrollment: {
    journey: byForeignKey<EnrollmentView, JourneyView>((e) => e.journeyId, (ctx, ids) => ctx.services.journeys.findMany(actorOf(ctx), ids)),
    customer: byForeignKey<EnrollmentView, Customer>((e) => e.customerId, nullIfForbidden((ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids))),
    steps: (queries: LoaderQuery<EnrollmentView>[], ctx: MercuriusContext) => ctx.services.journeys.stepRuns(actorOf(ctx), queries.map((q) => q.obj.id))
  }
}
