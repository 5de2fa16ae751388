import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { publicTicketRoutes } from './public-tickets.routes.js'
import {
  CommentListQuery, TicketCommentCreate, TicketCommentView, TicketCreate, TicketCreatedView, TicketListQuery, TicketStatusChange,
  TicketStatusChangeView, TicketUpdate, TicketView
} from './tickets.schemas.js'

/** /api/v1/tickets: the same service as GraphQL, resource style. */
export const ticketsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['tickets']

  app.get('/tickets', {
    schema: { tags, summary: 'List tickets (keyset pages)', querystring: TicketListQuery, response: { 200: listResponse(TicketView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.tickets.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/tickets', {
    schema: {
      tags, summary: "Open a ticket (routed unless assigned); the answer carries the customer's tracking token, once",
      body: TicketCreate, response: { 201: TicketCreatedView, ...errorResponses }
    }
  }, async (request, reply) => {
    const created = await services.tickets.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/tickets/${created.ticket.id}`).header('etag', `"${created.ticket.version}"`)
    return created
  })

  app.get('/tickets/:id', {
    schema: { tags, summary: 'Get a ticket', params: IdParams, response: { 200: TicketView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.tickets.get(requireActor(request), request.params.id)))

  app.patch('/tickets/:id', {
    schema: { tags, summary: 'Change a ticket (If-Match: version for optimistic concurrency)', params: IdParams, body: TicketUpdate, response: { 200: TicketView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const ticket = await services.tickets.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, ticket)
  })

  app.post('/tickets/:id/status', {
    schema: {
      tags, summary: 'Move a ticket: open → in_progress ⇄ waiting_customer → resolved → closed; reopen within the window',
      params: IdParams, body: TicketStatusChange, response: { 200: TicketView, ...errorResponses }
    }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const ticket = await services.tickets.changeStatus(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, ticket)
  })

  app.get('/tickets/:id/history', {
    schema: { tags, summary: "A ticket's status transitions, oldest first", params: IdParams, response: { 200: Type.Object({ data: Type.Array(TicketStatusChangeView) }), ...errorResponses } }
  }, async (request) => ({ data: await services.tickets.historyOf(requireActor(request), request.params.id) }))

  app.get('/tickets/:id/comments', {
    schema: { tags, summary: "A ticket's notes and replies, oldest first", params: IdParams, querystring: CommentListQuery, response: { 200: listResponse(TicketCommentView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...query } = request.query
    return listBody(await services.tickets.comments(requireActor(request), request.params.id, query, { first: limit, after: cursor }))
  })

  app.post('/tickets/:id/comments', {
    schema: {
      tags, summary: 'Add an internal note or a public reply (shown on the tracking page)',
      params: IdParams, body: TicketCommentCreate, response: { 201: TicketCommentView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { comment } = await services.tickets.addComment(requireActor(request), request.params.id, request.body)
    reply.code(201)
    return comment
  })

  app.post('/tickets/:id/tracking-token', {
    schema: { tags, summary: 'Issue a new tracking token (the old link stops working)', params: IdParams, response: { 200: TicketCreatedView, ...errorResponses } }
  }, async (request) => services.tickets.issueTrackingToken(requireActor(request), request.params.id))

  await app.register(publicTicketRoutes, { services })
}
