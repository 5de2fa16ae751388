import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { CampaignCostCreate, CampaignCostListQuery, CampaignCostParams, CampaignCostView } from './campaign-costs.schemas.js'

/** /api/v1/campaigns/{id}/costs: costs other than rewards, for the campaign's ROI. */
export const campaignCostsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['campaigns']

  app.get('/campaigns/:id/costs', {
    schema: { tags, summary: "List a campaign's costs (latest incurredOn first, keyset pages)", params: IdParams, querystring: CampaignCostListQuery, response: { 200: listResponse(CampaignCostView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor } = request.query
    return listBody(await services.campaignCosts.list(requireActor(request), request.params.id, { first: limit, after: cursor }))
  })

  app.post('/campaigns/:id/costs', {
    schema: {
      tags, summary: 'Record a campaign cost (with externalId: repeating it updates that cost, 200)', params: IdParams, body: CampaignCostCreate,
      response: { 200: CampaignCostView, 201: CampaignCostView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { cost, created } = await services.campaignCosts.record(requireActor(request), request.params.id, request.body)
    if (created) reply.code(201).header('location', `/api/v1/campaigns/${cost.campaignId}/costs/${cost.id}`)
    return withEtag(reply, cost)
  })

  app.delete('/campaigns/:id/costs/:costId', {
    schema: { tags, summary: 'Soft-delete a mistaken cost: it leaves the list and the reports', params: CampaignCostParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.campaignCosts.delete(requireActor(request), request.params.id, request.params.costId)
    reply.code(204)
  })
}
