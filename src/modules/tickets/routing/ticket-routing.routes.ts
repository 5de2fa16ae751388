import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, withEtag } from '../../../http/rest.js'
import { IdParams } from '../../common/schemas.js'
import type { Services } from '../../services.js'
import {
  TicketCategoryCreate, TicketCategoryUpdate, TicketCategoryView, TicketRoutingDecisionView, TicketRoutingFactsInput,
  TicketRoutingRuleCreate, TicketRoutingRuleUpdate, TicketRoutingRuleView
} from './ticket-routing.schemas.js'

const all = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Type.Null() })

/** /api/v1/ticket-routing-rules and /api/v1/ticket-categories: ticket routing as data (docs/service.md). */
export const ticketRoutingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['tickets']
  const svc = services.ticketRouting

  app.get('/ticket-routing-rules', {
    schema: { tags, summary: 'Every ticket routing rule, in the order routing tries them', response: { 200: all(TicketRoutingRuleView), ...errorResponses } }
  }, async (request) => ({ data: await svc.listRules(requireActor(request)), nextCursor: null }))

  app.post('/ticket-routing-rules', {
    schema: { tags, summary: 'Add a ticket routing rule (exactly one of assigneeId, queueTeamId)', body: TicketRoutingRuleCreate, response: { 201: TicketRoutingRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const created = await svc.createRule(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/ticket-routing-rules/${created.id}`)
    return withEtag(reply, created)
  })

  app.post('/ticket-routing-rules/preview', {
    schema: { tags, summary: 'Who would work a ticket with these facts now, and why (changes nothing)', body: TicketRoutingFactsInput, response: { 200: TicketRoutingDecisionView, ...errorResponses } }
  }, async (request) => svc.preview(requireActor(request), request.body))

  app.get('/ticket-routing-rules/:id', {
    schema: { tags, summary: 'Get a ticket routing rule', params: IdParams, response: { 200: TicketRoutingRuleView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await svc.getRule(requireActor(request), request.params.id)))

  app.patch('/ticket-routing-rules/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version)', params: IdParams, body: TicketRoutingRuleUpdate, response: { 200: TicketRoutingRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await svc.updateRule(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.delete('/ticket-routing-rules/:id', {
    schema: { tags, summary: 'Delete a ticket routing rule (If-Match: version)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await svc.deleteRule(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })

  app.get('/ticket-categories', {
    schema: { tags, summary: 'Every ticket category (active or not), by key', response: { 200: all(TicketCategoryView), ...errorResponses } }
  }, async (request) => ({ data: await svc.listCategories(requireActor(request)), nextCursor: null }))

  app.post('/ticket-categories', {
    schema: { tags, summary: 'Add a ticket category (key: a slug unique among live categories)', body: TicketCategoryCreate, response: { 201: TicketCategoryView, ...errorResponses } }
  }, async (request, reply) => {
    const created = await svc.createCategory(requireActor(request), request.body)
    reply.code(201)
    return withEtag(reply, created)
  })

  app.patch('/ticket-categories/:id', {
    schema: { tags, summary: 'Rename or (de)activate a ticket category (If-Match: version)', params: IdParams, body: TicketCategoryUpdate, response: { 200: TicketCategoryView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await svc.updateCategory(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })
}
