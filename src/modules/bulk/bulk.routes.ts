import { Readable } from 'node:stream'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { CrmError } from '../../errors.js'
import { errorResponses } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import { CustomerListQuery } from '../customers/customers.schemas.js'
import { customerListArgs } from '../customers/customers.routes.js'
import { RewardListQuery } from '../incentives/rewards.schemas.js'
import { LeadListQuery } from '../leads/leads.schemas.js'
import { OpportunityListQuery } from '../opportunities/opportunities.schemas.js'
import { orderListArgs } from '../orders/orders.routes.js'
import { OrderListQuery } from '../orders/orders.schemas.js'
import { ReferralListQuery } from '../referrals/referrals.schemas.js'
import { referrerListArgs } from '../referrers/referrers.routes.js'
import { ReferrerListQuery } from '../referrers/referrers.schemas.js'
import type { Services } from '../services.js'
import { ImportParams, ImportQuery, ImportReportView } from './bulk.schemas.js'
import { exportRows, ndjson } from './export-pages.js'
import { describeBody, importMediaTypes } from './import-source.js'

const page = ['limit', 'cursor'] as const
const direction = (d: 'asc' | 'desc' | undefined) => (d === 'asc' ? 'ASC' : 'DESC') as 'ASC' | 'DESC'

/** /api/v1/import/{entity} and /api/v1/export/{entity} (docs/import-export.md). */
export const bulkRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const bodyLimit = app.config.IMPORT_BODY_LIMIT_BYTES
  // The body is read as it arrives, by the import itself: never buffered whole (this plugin's routes only).
  app.addContentTypeParser(importMediaTypes, (_request, payload, done) => done(null, payload))

  app.post('/import/:entity', {
    bodyLimit,
    schema: {
      tags: ['bulk'], summary: 'Import CSV or NDJSON, upserting by externalId; answers a report of the rows accepted and refused',
      consumes: importMediaTypes, params: ImportParams, querystring: ImportQuery, response: { 200: ImportReportView, ...errorResponses }
    }
  }, async (request) => {
    const actor = requireActor(request)
    const length = Number(request.headers['content-length'] ?? 0)
    if (length > bodyLimit) throw new CrmError('CRM_ERR_PAYLOAD_TOO_LARGE', `An import body may be at most ${bodyLimit} bytes`)
    const body = describeBody(request.headers['content-type'], request.query)
    if (!(request.body instanceof Readable)) throw new CrmError('CRM_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send text/csv or application/x-ndjson')
    return services.bulk.importStream(actor, request.params.entity, request.body, body)
  })

  const tags = ['bulk']
  const produces = ['application/x-ndjson']
  const response = { 200: Type.String({ description: 'One JSON object per line, as the list endpoint shows it' }), ...errorResponses }
  const send = (reply: FastifyReply, entity: string, rows: AsyncGenerator<unknown>) => reply
    .type('application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="${entity}.ndjson"`)
    .send(Readable.from(ndjson(rows)))

  app.get('/export/customers', {
    schema: { tags, summary: 'Every customer of a filter (as GET /customers takes it), as NDJSON', produces, querystring: Type.Omit(CustomerListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { filter, order } = customerListArgs(request.query)
    return send(reply, 'customers', await exportRows((f, o, p) => services.customers.list(actor, f, o, p), filter, order,
      (rows) => services.customers.rfm.attach(actor, rows)))
  })

  app.get('/export/referrers', {
    schema: { tags, summary: 'Every referrer of a filter (as GET /referrers takes it), as NDJSON', produces, querystring: Type.Omit(ReferrerListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { filter, order } = referrerListArgs(request.query)
    return send(reply, 'referrers', await exportRows((f, o, p) => services.referrers.list(actor, f, o, p), filter, order))
  })

  app.get('/export/orders', {
    schema: { tags, summary: 'Every order of a filter (as GET /orders takes it), as NDJSON', produces, querystring: Type.Omit(OrderListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { filter, order } = orderListArgs(request.query)
    return send(reply, 'orders', await exportRows((f, o, p) => services.orders.list(actor, f, o, p), filter, order))
  })

  app.get('/export/referrals', {
    schema: { tags, summary: 'Every referral of a filter (as GET /referrals takes it), as NDJSON', produces, querystring: Type.Omit(ReferralListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { orderBy, direction: d, ...filter } = request.query
    return send(reply, 'referrals', await exportRows((f, o, p) => services.referrals.list(actor, f, o, p), filter, { field: orderBy ?? 'createdAt', direction: direction(d) }))
  })

  app.get('/export/leads', {
    schema: { tags, summary: 'Every lead of a filter (as GET /leads takes it), as NDJSON', produces, querystring: Type.Omit(LeadListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { orderBy, direction: d, tag, ...filter } = request.query
    return send(reply, 'leads', await exportRows((f, o, p) => services.leads.list(actor, f, o, p), { ...filter, ...(tag ? { tags: tag } : {}) },
      { field: orderBy ?? 'createdAt', direction: direction(d) }))
  })

  app.get('/export/opportunities', {
    schema: { tags, summary: 'Every opportunity of a filter (as GET /opportunities takes it), as NDJSON', produces, querystring: Type.Omit(OpportunityListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { orderBy, direction: d, ...filter } = request.query
    return send(reply, 'opportunities', await exportRows((f, o, p) => services.opportunities.list(actor, f, o, p), filter, { field: orderBy ?? 'createdAt', direction: direction(d) }))
  })

  app.get('/export/rewards', {
    schema: { tags, summary: 'Every ledger entry of a filter (as GET /rewards takes it), as NDJSON', produces, querystring: Type.Omit(RewardListQuery, page), response }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { orderBy, direction: d, ...filter } = request.query
    return send(reply, 'rewards', await exportRows((f, o, p) => services.rewards.list(actor, f, o, p), filter, { field: orderBy ?? 'createdAt', direction: direction(d) }))
  })
}
