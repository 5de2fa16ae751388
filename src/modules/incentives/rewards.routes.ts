import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { exportStream } from './reward-export.js'
import {
  RewardCancel, RewardExportQuery, RewardListQuery, RewardPay, RewardTotalsQuery, RewardTotalView, RewardView
} from './rewards.schemas.js'

/** /api/v1/rewards: the ledger for finance (list, totals, export) and its state changes. */
export const rewardsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['rewards']
  const one = { 200: RewardView, ...errorResponses }

  app.get('/rewards', {
    schema: { tags, summary: 'List ledger entries (keyset pages; referrer tokens: their own)', querystring: RewardListQuery, response: { 200: listResponse(RewardView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.rewards.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.get('/rewards/totals', {
    schema: { tags, summary: 'Ledger sums by reward type and currency for a filter', querystring: RewardTotalsQuery, response: { 200: Type.Object({ data: Type.Array(RewardTotalView) }), ...errorResponses } }
  }, async (request) => ({ data: await services.rewards.totals(requireActor(request), request.query) }))

  app.get('/rewards/export', {
    schema: {
      tags, summary: 'Stream every entry of a filter, oldest first: NDJSON (default) or CSV',
      querystring: RewardExportQuery, produces: ['application/x-ndjson', 'text/csv'],
      response: { 200: Type.String({ description: 'One JSON object per line, or CSV with a header row' }), ...errorResponses }
    }
  }, async (request, reply) => {
    const { format = 'ndjson', ...filter } = request.query
    const rows = services.rewards.exportRows(requireActor(request), filter)
    const first = await rows.next()
    reply.type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="rewards.${format}"`)
    return reply.send(exportStream(first, rows, format))
  })

  app.get('/rewards/:id', {
    schema: { tags, summary: 'Get a ledger entry', params: IdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.rewards.get(requireActor(request), request.params.id)))

  app.post('/rewards/:id/approve', {
    schema: { tags, summary: 'Managers: pending → approved (If-Match: version)', params: IdParams, response: one }
  }, async (request, reply) =>
    withEtag(reply, await services.rewards.approve(requireActor(request), request.params.id, ifMatchVersion(request))))

  app.post('/rewards/:id/pay', {
    schema: { tags, summary: 'Finance: approved → paid with the payout reference (If-Match: version)', params: IdParams, body: RewardPay, response: one }
  }, async (request, reply) => {
    const expectedVersion = ifMatchVersion(request) ?? request.body.expectedVersion
    return withEtag(reply, await services.rewards.markPaid(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.post('/rewards/:id/cancel', {
    schema: { tags, summary: 'Managers: withdraw an unpaid reward (If-Match: version)', params: IdParams, body: RewardCancel, response: one }
  }, async (request, reply) => {
    const expectedVersion = ifMatchVersion(request) ?? request.body.expectedVersion
    return withEtag(reply, await services.rewards.cancel(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })
}
