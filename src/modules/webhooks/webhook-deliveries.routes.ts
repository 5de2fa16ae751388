import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { DeliveryListQuery, DeliveryView } from './webhook-deliveries.schemas.js'

/** /api/v1: an endpoint's deliveries, one delivery with its attempts, replay. */
export const webhookDeliveriesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['webhooks']

  app.get('/webhook-endpoints/:id/deliveries', {
    schema: { tags, summary: "An endpoint's deliveries, newest first (keyset pages)", params: IdParams, querystring: DeliveryListQuery, response: { 200: listResponse(DeliveryView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, status, ...filter } = request.query
    const page = await services.webhookDeliveries.list(requireActor(request), request.params.id, { ...filter, ...(status ? { status: [status] } : {}) }, { first: limit, after: cursor })
    return listBody(page)
  })

  app.get('/webhook-deliveries/:id', {
    schema: { tags, summary: 'A delivery with every attempt (status, latency, the start of the answer)', params: IdParams, response: { 200: DeliveryView, ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    const delivery = await services.webhookDeliveries.get(actor, request.params.id)
    const [attemptLog] = await services.webhookDeliveries.attemptsOf(actor, [delivery.id])
    return { ...delivery, attemptLog }
  })

  app.post('/webhook-deliveries/:id/replay', {
    schema: { tags, summary: 'Send a delivery again now (the schedule starts again if it fails)', params: IdParams, response: { 202: DeliveryView, ...errorResponses } }
  }, async (request, reply) => {
    reply.code(202)
    return services.webhookDeliveries.replay(requireActor(request), request.params.id)
  })
}
