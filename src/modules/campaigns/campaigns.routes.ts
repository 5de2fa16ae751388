import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { CampaignCreate, CampaignListQuery, CampaignUpdate, CampaignView } from './campaigns.schemas.js'

/** /api/v1/campaigns: the same service as GraphQL, resource style. */
export const campaignsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['campaigns']

  app.get('/campaigns', {
    schema: { tags, summary: 'List campaigns (keyset pages)', querystring: CampaignListQuery, response: { 200: listResponse(CampaignView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.campaigns.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/campaigns', {
    schema: { tags, summary: 'Create a campaign', body: CampaignCreate, response: { 201: CampaignView, ...errorResponses } }
  }, async (request, reply) => {
    const campaign = await services.campaigns.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/campaigns/${campaign.id}`)
    return withEtag(reply, campaign)
  })

  app.get('/campaigns/:id', {
    schema: { tags, summary: 'Get a campaign', params: IdParams, response: { 200: CampaignView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.campaigns.get(requireActor(request), request.params.id)))

  app.patch('/campaigns/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version for optimistic concurrency)', params: IdParams, body: CampaignUpdate, response: { 200: CampaignView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const campaign = await services.campaigns.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, campaign)
  })

  app.put('/campaigns/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Create or update by your own id', params: ExternalIdParams, body: Type.Omit(CampaignCreate, ['externalId']),
      response: { 200: CampaignView, 201: CampaignView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { campaign, created } = await services.campaigns.upsertByExternalId(requireActor(request), request.params.externalId, request.body)
    reply.code(created ? 201 : 200)
    return withEtag(reply, campaign)
  })

  app.delete('/campaigns/:id', {
    schema: { tags, summary: 'Soft-delete a campaign', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.campaigns.delete(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })
}
