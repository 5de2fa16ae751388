import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { CodeParams, ReferrerCreateRequest, ReferrerListQuery, ReferrerUpdate, ReferrerView, type ReferrerFilter } from './referrers.schemas.js'
import type { ReferrerOrder } from './referrers.service.js'

/** The list's query string as the service's filter and order (the export takes the same, src/modules/bulk). */
export function referrerListArgs(query: Omit<Static<typeof ReferrerListQuery>, 'limit' | 'cursor'>): { filter: ReferrerFilter; order: ReferrerOrder } {
  const { orderBy, direction, kind, status, tag, limit: _l, cursor: _c, ...filter } = query as Static<typeof ReferrerListQuery>
  return {
    filter: { ...filter, ...(kind ? { kind: [kind] } : {}), ...(status ? { status: [status] } : {}), ...(tag ? { tags: tag } : {}) },
    order: { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' }
  }
}

/** /api/v1/referrers: the same service as GraphQL, resource style. */
export const referrersRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['referrers']

  app.get('/referrers', {
    schema: { tags, summary: 'List referrers (keyset pages)', querystring: ReferrerListQuery, response: { 200: listResponse(ReferrerView), ...errorResponses } }
  }, async (request) => {
    const { filter, order } = referrerListArgs(request.query)
    const page = await services.referrers.list(requireActor(request), filter, order, { first: request.query.limit, after: request.query.cursor })
    return listBody(page)
  })

  app.post('/referrers', {
    schema: { tags, summary: 'Create a referrer (a referral code is generated unless you give one; 409 DUPLICATE when a live referrer has its phone or email, unless allowDuplicate)', body: ReferrerCreateRequest, response: { 201: ReferrerView, ...errorResponses } }
  }, async (request, reply) => {
    const referrer = await services.referrers.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/referrers/${referrer.id}`)
    return withEtag(reply, referrer)
  })

  app.get('/referrers/by-code/:code', {
    schema: { tags, summary: 'Find a referrer by referral code (case-insensitive)', params: CodeParams, response: { 200: ReferrerView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.referrers.getByCode(requireActor(request), request.params.code)))

  app.get('/referrers/:id', {
    schema: { tags, summary: 'Get a referrer', params: IdParams, response: { 200: ReferrerView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.referrers.get(requireActor(request), request.params.id)))

  app.patch('/referrers/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version for optimistic concurrency)', params: IdParams, body: ReferrerUpdate, response: { 200: ReferrerView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const referrer = await services.referrers.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, referrer)
  })

  app.put('/referrers/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Create or update by your own id', params: ExternalIdParams, body: Type.Omit(ReferrerCreateRequest, ['externalId']),
      response: { 200: ReferrerView, 201: ReferrerView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { referrer, created } = await services.referrers.upsertByExternalId(requireActor(request), request.params.externalId, request.body)
    reply.code(created ? 201 : 200)
    return withEtag(reply, referrer)
  })

  app.delete('/referrers/:id', {
    schema: { tags, summary: 'Soft-delete a referrer', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.referrers.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
