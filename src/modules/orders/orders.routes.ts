import { Type, type Static } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { ExternalIdParams, IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { OrderListQuery, OrderRecord, OrderRefundBody, OrderUpsert, OrderView, RefundResultView, RefundView, type OrderFilter } from './orders.schemas.js'
import type { OrderOrder } from './orders.service.js'

/** The list's query string as the service's filter and order (the export takes the same, src/modules/bulk). */
export function orderListArgs(query: Omit<Static<typeof OrderListQuery>, 'limit' | 'cursor'>): { filter: OrderFilter; order: OrderOrder } {
  const { orderBy, direction, paidFrom, paidTo, createdFrom, createdTo, limit: _l, cursor: _c, ...filter } = query as Static<typeof OrderListQuery>
  return {
    filter: {
      ...filter,
      ...(paidFrom || paidTo ? { paidAt: { from: paidFrom, to: paidTo } } : {}),
      ...(createdFrom || createdTo ? { createdAt: { from: createdFrom, to: createdTo } } : {})
    },
    order: { field: orderBy ?? 'paidAt', direction: direction === 'asc' ? 'ASC' : 'DESC' }
  }
}

/** /api/v1/orders: the same service as GraphQL, resource style. */
export const ordersRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['orders']
  const one = { 200: OrderView, ...errorResponses }
  const written = { 200: OrderView, 201: OrderView, ...errorResponses }
  const refunded = { 200: RefundResultView, 201: RefundResultView, ...errorResponses }

  app.get('/orders', {
    schema: { tags, summary: 'List orders (keyset pages; newest payment first by default)', querystring: OrderListQuery, response: { 200: listResponse(OrderView), ...errorResponses } }
  }, async (request) => {
    const { filter, order } = orderListArgs(request.query)
    const page = await services.orders.list(requireActor(request), filter, order, { first: request.query.limit, after: request.query.cursor })
    return listBody(page)
  })

  app.post('/orders', {
    schema: {
      tags, summary: 'Record a paid order (201); the same externalId and content again answers it unchanged (200), other content is 409',
      body: OrderRecord, response: written
    }
  }, async (request, reply) => {
    const { order, created } = await services.orders.record(requireActor(request), request.body)
    reply.code(created ? 201 : 200).header('location', `/api/v1/orders/${order.id}`)
    return withEtag(reply, order)
  })

  app.get('/orders/:id', {
    schema: { tags, summary: 'Get an order', params: IdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.orders.get(requireActor(request), request.params.id)))

  app.get('/orders/by-external-id/:externalId', {
    schema: { tags, summary: 'Get an order by your own id', params: ExternalIdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.orders.getByExternalId(requireActor(request), request.params.externalId)))

  app.put('/orders/by-external-id/:externalId', {
    schema: {
      tags, summary: 'Record (201) or correct (200) by your own id: note, attributes, paidAt; the amount only without refunds (If-Match: version)',
      params: ExternalIdParams, body: OrderUpsert, response: written
    }
  }, async (request, reply) => {
    const { order, created } = await services.orders.upsertByExternalId(requireActor(request), request.params.externalId, request.body, ifMatchVersion(request))
    reply.code(created ? 201 : 200)
    return withEtag(reply, order)
  })

  app.get('/orders/:id/refunds', {
    schema: { tags, summary: "An order's refunds, oldest first", params: IdParams, response: { 200: Type.Object({ data: Type.Array(RefundView) }), ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    const order = await services.orders.get(actor, request.params.id)
    const [refunds] = await services.orders.refundsOf(actor, [order.id])
    return { data: refunds }
  })

  app.post('/orders/:id/refunds', {
    schema: {
      tags, summary: 'Refund part (amount) or all (no amount) of an order (201); the same refund externalId again answers it unchanged (200)',
      params: IdParams, body: OrderRefundBody, response: refunded
    }
  }, async (request, reply) => {
    const { externalId, ...body } = request.body
    const result = await services.orders.refund(requireActor(request), { ...body, orderId: request.params.id, refundExternalId: externalId })
    reply.code(result.created ? 201 : 200)
    return { order: result.order, refund: result.refund }
  })

  app.post('/orders/by-external-id/:externalId/refunds', {
    schema: { tags, summary: 'The same, for the order with your own id', params: ExternalIdParams, body: OrderRefundBody, response: refunded }
  }, async (request, reply) => {
    const { externalId, ...body } = request.body
    const result = await services.orders.refund(requireActor(request), { ...body, orderExternalId: request.params.externalId, refundExternalId: externalId })
    reply.code(result.created ? 201 : 200)
    return { order: result.order, refund: result.refund }
  })
}
