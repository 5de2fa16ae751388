import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, withEtag } from '../../../http/rest.js'
import { IdParams } from '../../common/schemas.js'
import type { Services } from '../../services.js'
import {
  CalendarDates, CalendarDaysInput, CalendarDayView, CalendarRange, SlaPolicyCreate, SlaPolicyUpdate, SlaPolicyView,
  WorkingCalendarUpdate, WorkingCalendarView
} from './ticket-sla.schemas.js'

const all = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Type.Null() })

/** /api/v1/service/calendar and /api/v1/sla-policies: the SLA side of tickets, as data. */
export const ticketSlaRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['service']
  const sla = services.ticketSla

  app.get('/service/calendar', {
    schema: { tags, summary: 'The working calendar: working days and hours, in REPORTING_TIMEZONE', response: { 200: WorkingCalendarView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await sla.workingCalendar(requireActor(request))))

  app.put('/service/calendar', {
    schema: { tags, summary: 'Change the working days and/or hours (If-Match: version)', body: WorkingCalendarUpdate, response: { 200: WorkingCalendarView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await sla.updateWorkingCalendar(requireActor(request), { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.get('/service/calendar/days', {
    schema: { tags, summary: 'Holidays and make-up working days in a date range (inclusive)', querystring: CalendarRange, response: { 200: all(CalendarDayView), ...errorResponses } }
  }, async (request) => ({ data: await sla.calendarDays(requireActor(request), request.query.from, request.query.to), nextCursor: null }))

  app.put('/service/calendar/days', {
    schema: { tags, summary: 'Create or overwrite holidays and make-up days in bulk (a year in one call)', body: CalendarDaysInput, response: { 200: all(CalendarDayView), ...errorResponses } }
  }, async (request) => ({ data: await sla.setCalendarDays(requireActor(request), request.body), nextCursor: null }))

  app.delete('/service/calendar/days', {
    schema: {
      tags, summary: 'Remove holidays / make-up days (?dates=2025-10-01&dates=2025-10-02)',
      querystring: Type.Object({ dates: CalendarDates }, { additionalProperties: false }),
      response: { 200: Type.Object({ deletedDates: Type.Array(Type.String()) }), ...errorResponses }
    }
  }, async (request) => ({ deletedDates: await sla.deleteCalendarDays(requireActor(request), request.query.dates) }))

  app.get('/sla-policies', {
    schema: { tags, summary: 'Every SLA policy, urgent first', response: { 200: all(SlaPolicyView), ...errorResponses } }
  }, async (request) => ({ data: await sla.slaPolicies(requireActor(request)), nextCursor: null }))

  app.post('/sla-policies', {
    schema: { tags, summary: 'Add an SLA policy (one per priority, one per priority and tier)', body: SlaPolicyCreate, response: { 201: SlaPolicyView, ...errorResponses } }
  }, async (request, reply) => {
    const created = await sla.createSlaPolicy(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/sla-policies/${created.id}`)
    return withEtag(reply, created)
  })

  app.get('/sla-policies/:id', {
    schema: { tags, summary: 'Get an SLA policy', params: IdParams, response: { 200: SlaPolicyView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await sla.slaPolicy(requireActor(request), request.params.id)))

  app.patch('/sla-policies/:id', {
    schema: { tags, summary: 'Change an SLA policy (If-Match: version)', params: IdParams, body: SlaPolicyUpdate, response: { 200: SlaPolicyView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await sla.updateSlaPolicy(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.delete('/sla-policies/:id', {
    schema: { tags, summary: 'Delete an SLA policy (If-Match: version)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await sla.deleteSlaPolicy(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
