import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { CustomerCreateRequest, CustomerListQuery, CustomerUpdate, CustomerView, SegmentCountsView, type CustomerFilter } from './customers.schemas.js'
import type { CustomerOrder } from './customers.service.js'

/** The list's query string as the service's filter and order (the export takes the same, src/modules/bulk). */
export function customerListArgs(query: Omit<Static<typeof CustomerListQuery>, 'limit' | 'cursor'>): { filter: CustomerFilter; order: CustomerOrder } {
  const { orderBy, direction, lifecycleStage, tier, tag, ...filter } = query as Static<typeof CustomerListQuery>
  const { limit: _l, cursor: _c, ...rest } = filter
  return {
    filter: { ...rest, ...(lifecycleStage ? { lifecycleStage: [lifecycleStage] } : {}), ...(tier ? { tier: [tier] } : {}), ...(tag ? { tags: tag } : {}) },
    order: { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' }
  }
}

/** /api/v1/customers: the same service as GraphQL, resource style. */
export const customersRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['customers']

  app.get('/customers', {
    schema: { tags, summary: 'List customers (keyset pages)', querystring: CustomerListQuery, response: { 200: listResponse(CustomerView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor } = request.query
    const actor = requireActor(request)
    const { filter, order } = customerListArgs(request.query)
    const page = await services.customers.list(actor, filter, order, { first: limit, after: cursor })
    return listBody({ ...page, rows: await services.levels.attach(actor, await services.customers.rfm.attach(actor, page.rows)) })
  })

  app.get('/segments', {
    schema: { tags, summary: 'Customers per RFM segment as of the last recompute (within your reach)', response: { 200: SegmentCountsView, ...errorResponses } }
  }, async (request) => services.customers.rfm.segments(requireActor(request)))

  app.post('/customers', {
    schema: { tags, summary: 'Create a customer (409 DUPLICATE when a live customer has its phone or email, unless allowDuplicate)', body: CustomerCreateRequest, response: { 201: CustomerView, ...errorResponses } }
  }, async (request, reply) => {
    const customer = await services.customers.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/customers/${customer.id}`)
    return withEtag(reply, customer)
  })

  app.get('/customers/:id', {
    schema: { tags, summary: 'Get a customer', params: IdParams, response: { 200: CustomerView, ...errorResponses } }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const [customer] = await services.levels.attach(actor, await services.customers.rfm.attach(actor, [await services.customers.get(actor, request.params.id)]))
    return withEtag(reply, customer)
  })

  app.patch('/customers/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version for optimistic concurrency)', params: IdParams, body: CustomerUpdate, response: { 200: CustomerView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const customer = await services.customers.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, customer)
  })

  app.put('/customers/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Create or update by your own id', params: ExternalIdParams, body: Type.Omit(CustomerCreateRequest, ['externalId']),
      response: { 200: CustomerView, 201: CustomerView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { customer, created } = await services.customers.upsertByExternalId(requireActor(request), request.params.externalId, request.body)
    reply.code(created ? 201 : 200)
    return withEtag(reply, customer)
  })

  app.delete('/customers/:id', {
    schema: { tags, summary: 'Soft-delete a customer', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.customers.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
