import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { Subscribe, SubscriptionListQuery, SubscriptionView } from './staff.schemas.js'

/** /api/v1/notification-subscriptions: staff notification subscriptions, as GraphQL has them. */
export const staffRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['notifications']

  app.get('/notification-subscriptions', {
    schema: { tags, summary: "List subscriptions (admins: all; others: their own and their team's)", querystring: SubscriptionListQuery, response: { 200: listResponse(SubscriptionView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, userId, teamId } = request.query
    return listBody(await services.staffNotifications.list(requireActor(request), { first: limit, after: cursor }, { userId, teamId }))
  })

  app.post('/notification-subscriptions', {
    schema: { tags, summary: 'Subscribe a user (default: the caller) or a team to staff events on a channel; again on the same channel replaces it', body: Subscribe, response: { 200: SubscriptionView, ...errorResponses } }
  }, async (request) => services.staffNotifications.subscribe(requireActor(request), request.body))

  app.delete('/notification-subscriptions/:id', {
    schema: { tags, summary: 'End a subscription', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.staffNotifications.unsubscribe(requireActor(request), request.params.id)
    reply.code(204)
  })
}
