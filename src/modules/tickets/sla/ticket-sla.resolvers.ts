import type { IResolvers } from 'mercurius'
import { actorOf } from '../../../graphql/context.js'
import { payload } from '../../../graphql/payload.js'

type Range = { from: string; to: string }

export const ticketSlaResolvers: IResolvers = {
  Query: {
    workingCalendar: (_root: unknown, _args: unknown, ctx) => ctx.services.ticketSla.workingCalendar(actorOf(ctx)),
    calendarDays: (_root: unknown, { from, to }: Range, ctx) => ctx.services.ticketSla.calendarDays(actorOf(ctx), from, to),
    slaPolicies: (_root: unknown, _args: unknown, ctx) => ctx.services.ticketSla.slaPolicies(actorOf(ctx))
  },
  WorkingCalendar: {
    days: (_cal: unknown, { from, to }: Range, ctx) => ctx.services.ticketSla.calendarDays(actorOf(ctx), from, to)
  },
  Mutation: {
    updateWorkingCalendar: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ calendar: await ctx.services.ticketSla.updateWorkingCalendar(actorOf(ctx), input) })),
    setCalendarDays: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ days: await ctx.services.ticketSla.setCalendarDays(actorOf(ctx), input) })),
    deleteCalendarDays: (_root: unknown, { dates }: { dates: unknown }, ctx) =>
      payload(async () => ({ deletedDates: await ctx.services.ticketSla.deleteCalendarDays(actorOf(ctx), dates) })),
    createSlaPolicy: (_root: unknown, { input }: { input: unknown }, ctx) =>
      payload(async () => ({ policy: await ctx.services.ticketSla.createSlaPolicy(actorOf(ctx), input) })),
    updateSlaPolicy: (_root: unknown, { id, input }: { id: string; input: unknown }, ctx) =>
      payload(async () => ({ policy: await ctx.services.ticketSla.updateSlaPolicy(actorOf(ctx), id, input) })),
    deleteSlaPolicy: (_root: unknown, { id, expectedVersion }: { id: string; expectedVersion?: number | null }, ctx) =>
      payload(async () => ({ deletedId: (await ctx.services.ticketSla.deleteSlaPolicy(actorOf(ctx), id, expectedVersion ?? undefined)).id }))
  }
}
