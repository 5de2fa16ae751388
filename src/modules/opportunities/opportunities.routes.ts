import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import {
  OpportunityCreate, OpportunityListQuery, OpportunityUpdate, OpportunityView, StageChangeView, StageMoveInput
} from './opportunities.schemas.js'

/** /api/v1/opportunities: the same service as GraphQL, resource style. */
export const opportunitiesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['opportunities']

  app.get('/opportunities', {
    schema: { tags, summary: 'List opportunities (keyset pages)', querystring: OpportunityListQuery, response: { 200: listResponse(OpportunityView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.opportunities.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/opportunities', {
    schema: { tags, summary: 'Open an opportunity on a customer', body: OpportunityCreate, response: { 201: OpportunityView, ...errorResponses } }
  }, async (request, reply) => {
    const opportunity = await services.opportunities.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/opportunities/${opportunity.id}`)
    return withEtag(reply, opportunity)
  })

  app.get('/opportunities/:id', {
    schema: { tags, summary: 'Get an opportunity', params: IdParams, response: { 200: OpportunityView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.opportunities.get(requireActor(request), request.params.id)))

  app.get('/opportunities/:id/stage-history', {
    schema: { tags, summary: 'Stage changes, oldest first', params: IdParams, response: { 200: Type.Object({ data: Type.Array(StageChangeView) }), ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    const opportunity = await services.opportunities.get(actor, request.params.id)
    const [data] = await services.opportunities.stageHistory(actor, [opportunity.id])
    return { data }
  })

  app.patch('/opportunities/:id', {
    schema: { tags, summary: 'Change some fields, not the stage (If-Match: version)', params: IdParams, body: OpportunityUpdate, response: { 200: OpportunityView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const opportunity = await services.opportunities.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, opportunity)
  })

  app.post('/opportunities/:id/stage', {
    schema: {
      tags, summary: 'Move through the pipeline (If-Match: version); lost needs lostReason, closed cannot reopen (422)',
      params: IdParams, body: StageMoveInput, response: { 200: OpportunityView, ...errorResponses }
    }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const opportunity = await services.opportunities.moveStage(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, opportunity)
  })

  app.put('/opportunities/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Create or update by your own id', params: ExternalIdParams, body: Type.Omit(OpportunityCreate, ['externalId']),
      response: { 200: OpportunityView, 201: OpportunityView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { opportunity, created } = await services.opportunities.upsertByExternalId(requireActor(request), request.params.externalId, request.body)
    reply.code(created ? 201 : 200)
    return withEtag(reply, opportunity)
  })

  app.delete('/opportunities/:id', {
    schema: { tags, summary: 'Soft-delete an opportunity', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.opportunities.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
