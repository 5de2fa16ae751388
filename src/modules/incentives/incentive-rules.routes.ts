import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import {
  IncentivePreviewInput, IncentivePreviewView, IncentiveRuleCreate, IncentiveRuleListQuery, IncentiveRuleUpdate, IncentiveRuleView
} from './incentive-rules.schemas.js'

/** /api/v1/incentive-rules: the same service as GraphQL, resource style. */
export const incentiveRulesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['incentives']

  app.get('/incentive-rules', {
    schema: { tags, summary: 'List incentive rules (keyset pages)', querystring: IncentiveRuleListQuery, response: { 200: listResponse(IncentiveRuleView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.incentiveRules.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/incentive-rules', {
    schema: { tags, summary: 'Create an incentive rule', body: IncentiveRuleCreate, response: { 201: IncentiveRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const rule = await services.incentiveRules.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/incentive-rules/${rule.id}`)
    return withEtag(reply, rule)
  })

  app.post('/incentive-rules/preview', {
    schema: { tags, summary: 'What the rules would decide for an event, and why; writes nothing', body: IncentivePreviewInput, response: { 200: IncentivePreviewView, ...errorResponses } }
  }, async (request) => services.incentiveRules.preview(requireActor(request), request.body))

  app.get('/incentive-rules/:id', {
    schema: { tags, summary: 'Get an incentive rule', params: IdParams, response: { 200: IncentiveRuleView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.incentiveRules.get(requireActor(request), request.params.id)))

  app.patch('/incentive-rules/:id', {
    schema: { tags, summary: 'Change some fields; active: false deactivates (If-Match: version)', params: IdParams, body: IncentiveRuleUpdate, response: { 200: IncentiveRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const rule = await services.incentiveRules.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, rule)
  })
}
