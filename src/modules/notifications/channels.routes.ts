import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { ChannelCreate, ChannelListQuery, ChannelUpdate, ChannelView } from './channels.schemas.js'

/** /api/v1/notification-channels: the same service as GraphQL, resource style. */
export const channelsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['notifications']

  app.get('/notification-channels', {
    schema: { tags, summary: 'List notification channels, oldest first (keyset pages)', querystring: ChannelListQuery, response: { 200: listResponse(ChannelView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, kind } = request.query
    return listBody(await services.notificationChannels.list(requireActor(request), { first: limit, after: cursor }, kind))
  })

  app.post('/notification-channels', {
    schema: { tags, summary: 'Create a channel (admins); secrets are write-only', body: ChannelCreate, response: { 201: ChannelView, ...errorResponses } }
  }, async (request, reply) => {
    const channel = await services.notificationChannels.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/notification-channels/${channel.id}`)
    return withEtag(reply, channel)
  })

  app.get('/notification-channels/:id', {
    schema: { tags, summary: 'Get a channel (never its secrets)', params: IdParams, response: { 200: ChannelView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.notificationChannels.get(requireActor(request), request.params.id)))

  app.patch('/notification-channels/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version for optimistic concurrency)', params: IdParams, body: ChannelUpdate, response: { 200: ChannelView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const channel = await services.notificationChannels.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, channel)
  })

  app.delete('/notification-channels/:id', {
    schema: { tags, summary: 'Delete a channel (messages still queued on it fail)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.notificationChannels.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
