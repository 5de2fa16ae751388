import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { ActivityListQuery, ActivityLog, ActivityView } from './activities.schemas.js'

/** /api/v1/activities: the same service as GraphQL, resource style. */
export const activitiesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['activities']

  app.get('/activities', {
    schema: { tags, summary: 'List activities (newest first, keyset pages)', querystring: ActivityListQuery, response: { 200: listResponse(ActivityView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'occurredAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.activities.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/activities', {
    schema: { tags, summary: 'Log a call, visit, message or note on a customer, lead, opportunity or referrer', body: ActivityLog, response: { 201: ActivityView, ...errorResponses } }
  }, async (request, reply) => {
    const activity = await services.activities.log(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/activities/${activity.id}`)
    return activity
  })

  app.get('/activities/:id', {
    schema: { tags, summary: 'Get an activity', params: IdParams, response: { 200: ActivityView, ...errorResponses } }
  }, async (request) => services.activities.get(requireActor(request), request.params.id))
}
