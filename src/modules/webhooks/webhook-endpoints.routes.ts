import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { EndpointCreate, EndpointListQuery, EndpointUpdate, EndpointView, EndpointWithSecret } from './webhook-endpoints.schemas.js'

/** /api/v1/webhook-endpoints: the same service as GraphQL, resource style. */
export const webhookEndpointsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['webhooks']

  app.get('/webhook-endpoints', {
    schema: { tags, summary: 'List webhook endpoints, oldest first (keyset pages)', querystring: EndpointListQuery, response: { 200: listResponse(EndpointView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor } = request.query
    return listBody(await services.webhookEndpoints.list(requireActor(request), { first: limit, after: cursor }))
  })

  app.post('/webhook-endpoints', {
    schema: { tags, summary: 'Register an endpoint; the answer carries its secret, shown this once', body: EndpointCreate, response: { 201: EndpointWithSecret, ...errorResponses } }
  }, async (request, reply) => {
    const { webhookEndpoint, secret } = await services.webhookEndpoints.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/webhook-endpoints/${webhookEndpoint.id}`)
    return withEtag(reply, { ...webhookEndpoint, secret })
  })

  app.get('/webhook-endpoints/:id', {
    schema: { tags, summary: 'Get a webhook endpoint (never its secret)', params: IdParams, response: { 200: EndpointView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.webhookEndpoints.get(requireActor(request), request.params.id)))

  app.patch('/webhook-endpoints/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version for optimistic concurrency)', params: IdParams, body: EndpointUpdate, response: { 200: EndpointView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const endpoint = await services.webhookEndpoints.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, endpoint)
  })

  app.post('/webhook-endpoints/:id/rotate-secret', {
    schema: {
      tags, summary: 'A new secret, shown this once; the previous one keeps signing for WEBHOOK_SECRET_OVERLAP_HOURS',
      params: IdParams, response: { 200: EndpointWithSecret, ...errorResponses }
    }
  }, async (request, reply) => {
    const { webhookEndpoint, secret } = await services.webhookEndpoints.rotateSecret(requireActor(request), request.params.id)
    return withEtag(reply, { ...webhookEndpoint, secret })
  })

  app.delete('/webhook-endpoints/:id', {
    schema: { tags, summary: 'Delete an endpoint (no further deliveries)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.webhookEndpoints.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
