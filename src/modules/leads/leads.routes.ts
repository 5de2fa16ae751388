import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { CustomerView } from '../customers/customers.schemas.js'
import { OpportunityView } from '../opportunities/opportunities.schemas.js'
import { LeadAssign, LeadConvert, LeadCreate, LeadListQuery, LeadStatusChange, LeadUpdate, LeadView } from './leads.schemas.js'

/** /api/v1/leads: the same service as GraphQL, resource style. */
export const leadsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['leads']
  const one = { 200: LeadView, ...errorResponses }

  app.get('/leads', {
    schema: { tags, summary: 'List leads (keyset pages)', querystring: LeadListQuery, response: { 200: listResponse(LeadView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, tag, ...filter } = request.query
    const page = await services.leads.list(requireActor(request), { ...filter, ...(tag ? { tags: tag } : {}) },
      { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' }, { first: limit, after: cursor })
    return listBody(page)
  })

  app.post('/leads', {
    schema: { tags, summary: 'Create a lead (owned by the caller unless ownerId says otherwise; routed by the assignment rules when the caller has no user)', body: LeadCreate, response: { 201: LeadView, ...errorResponses } }
  }, async (request, reply) => {
    const lead = await services.leads.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/leads/${lead.id}`)
    return withEtag(reply, lead)
  })

  app.get('/leads/:id', {
    schema: { tags, summary: 'Get a lead', params: IdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.leads.get(requireActor(request), request.params.id)))

  app.patch('/leads/:id', {
    schema: { tags, summary: 'Change some fields, not status or owner (If-Match: version)', params: IdParams, body: LeadUpdate, response: one }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.leads.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.put('/leads/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Create or update by your own id', params: ExternalIdParams, body: Type.Omit(LeadCreate, ['externalId']),
      response: { 200: LeadView, 201: LeadView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { lead, created } = await services.leads.upsertByExternalId(requireActor(request), request.params.externalId, request.body)
    reply.code(created ? 201 : 200)
    return withEtag(reply, lead)
  })

  app.delete('/leads/:id', {
    schema: { tags, summary: 'Soft-delete a lead', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.leads.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })

  app.post('/leads/:id/assign', {
    schema: { tags, summary: 'Hand the lead to another owner, or null for the pool (If-Match: version)', params: IdParams, body: LeadAssign, response: one }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.leads.assign(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.post('/leads/:id/status', {
    schema: { tags, summary: 'Move the lead to another status (422 if the status table forbids it; If-Match: version)', params: IdParams, body: LeadStatusChange, response: one }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.leads.changeStatus(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.post('/leads/:id/convert', {
    schema: {
      tags, summary: 'Convert a qualified lead into a customer (and an opportunity) in one transaction (422 if not qualified; If-Match: version)',
      params: IdParams, body: LeadConvert,
      response: { 200: Type.Object({ lead: LeadView, customer: CustomerView, opportunity: Type.Union([OpportunityView, Type.Null()]) }), ...errorResponses }
    }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body ?? {})
    const done = await services.leads.convert(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    reply.header('etag', `"${done.lead.version}"`)
    return done
  })
}
