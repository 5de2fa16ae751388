import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { ApiKeyCreate, ApiKeyView, TeamCreate, TeamView, UserCreate, UserUpdate, UserView } from './users.schemas.js'

/** /api/v1/users, /teams and /api-keys: staff and their access (admin-managed). */
export const usersRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['users']
  app.get('/users', {
    schema: { tags, querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200 })), cursor: Type.Optional(Type.String()), role: Type.Optional(Type.String()), teamId: Type.Optional(Type.String()), search: Type.Optional(Type.String()) }, { additionalProperties: false }), response: { 200: listResponse(UserView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.users.list(requireActor(request), filter, { first: limit, after: cursor }))
  })
  app.post('/users', { schema: { tags, body: UserCreate, response: { 201: UserView, ...errorResponses } } }, async (request, reply) => {
    reply.code(201)
    return withEtag(reply, await services.users.create(requireActor(request), request.body))
  })
  app.get('/users/:id', { schema: { tags, params: IdParams, response: { 200: UserView, ...errorResponses } } }, async (request, reply) =>
    withEtag(reply, await services.users.get(requireActor(request), request.params.id)))
  app.patch('/users/:id', { schema: { tags, params: IdParams, body: UserUpdate, response: { 200: UserView, ...errorResponses } } }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.users.update(requireActor(request), request.params.id, { ...request.body, expectedVersion }))
  })

  app.get('/teams', { schema: { tags, response: { 200: Type.Object({ data: Type.Array(TeamView) }), ...errorResponses } } }, async (request) =>
    ({ data: await services.users.listTeams(requireActor(request)) }))
  app.post('/teams', { schema: { tags, body: TeamCreate, response: { 201: TeamView, ...errorResponses } } }, async (request, reply) => {
    reply.code(201)
    return services.users.createTeam(requireActor(request), request.body)
  })

  app.get('/api-keys', { schema: { tags, response: { 200: Type.Object({ data: Type.Array(ApiKeyView) }), ...errorResponses } } }, async (request) =>
    ({ data: await services.users.listApiKeys(requireActor(request)) }))
  app.post('/api-keys', {
    schema: { tags, body: ApiKeyCreate, response: { 201: Type.Object({ apiKey: ApiKeyView, secret: Type.String({ description: 'Shown once' }) }), ...errorResponses } }
  }, async (request, reply) => {
    reply.code(201)
    return services.users.createApiKey(requireActor(request), request.body)
  })
  app.delete('/api-keys/:id', { schema: { tags, params: IdParams, response: { 200: ApiKeyView, ...errorResponses } } }, async (request) =>
    services.users.revokeApiKey(requireActor(request), request.params.id))
}
