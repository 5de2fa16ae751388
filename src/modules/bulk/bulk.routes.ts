import { Readable } from 'node:stream'
import { Type, type Static, type TObject } from '@sinclair/typebox'
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
import type { Actor } from '../auth/actor.js'
import type { Services } from '../services.js'
import { ImportParams, ImportQuery, ImportReportView } from './bulk.schemas.js'
import { exportRows, ndjson } from './export-pages.js'
import { auditedExport } from '../audit/access-export.js'
import { TicketListQuery } from '../tickets/tickets.schemas.js'
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
    // Read as it is written: an authenticated import may take longer than HTTP_REQUEST_TIMEOUT_MS (src/plugins/request-timeouts.ts).
    config: { bodyTimeoutMs: app.config.IMPORT_REQUEST_TIMEOUT_MS },
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
    return services.bulk.importStream(actor, request.params.entity, request.body, { ...body, allowDuplicate: request.query.allowDuplicate })
  })

  const produces = ['application/x-ndjson']
  const response = { 200: Type.String({ description: 'One JSON object per line, as the list endpoint shows it' }), ...errorResponses }
  /** GET /export/{entity}: the list endpoint's query (paging aside), every matching row as NDJSON. */
  const exportRoute = <Q extends TObject>(entity: string, noun: string, query: Q, rowsOf: (actor: Actor, query: Static<Q>) => Promise<AsyncGenerator<unknown>>) => {
    app.get(`/export/${entity}`, {
      schema: { tags: ['bulk'], summary: `Every ${noun} of a filter (as GET /${entity} takes it), as NDJSON`, produces, querystring: Type.Omit(query, page), response }
    }, async (request, reply) => {
      const actor = requireActor(request)
      const rows = await rowsOf(actor, request.query as Static<Q>)
      return reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="${entity}.ndjson"`)
        .send(Readable.from(auditedExport(actor, noun === 'ledger entry' ? 'reward' : noun, request.query as Record<string, unknown>, ndjson(rows))))
    })
  }
  /** Lists whose query is the filter plus orderBy and direction. */
  const ordered = <Q extends { orderBy?: string; direction?: 'asc' | 'desc' }>(q: Q) => {
    const { orderBy, direction: d, ...filter } = q
    return { filter, order: { field: (orderBy ?? 'createdAt') as NonNullable<Q['orderBy']>, direction: direction(d) } }
  }

  exportRoute('customers', 'customer', CustomerListQuery, (actor, q) => {
    const { filter, order } = customerListArgs(q)
    return exportRows((f, o, p) => services.customers.list(actor, f, o, p), filter, order, (rows) => services.customers.rfm.attach(actor, rows))
  })
  exportRoute('referrers', 'referrer', ReferrerListQuery, (actor, q) => {
    const { filter, order } = referrerListArgs(q)
    return exportRows((f, o, p) => services.referrers.list(actor, f, o, p), filter, order)
  })
  exportRoute('orders', 'order', OrderListQuery, (actor, q) => {
    const { filter, order } = orderListArgs(q)
    return exportRows((f, o, p) => services.orders.list(actor, f, o, p), filter, order)
  })
  exportRoute('referrals', 'referral', ReferralListQuery, (actor, q) => {
    const { filter, order } = ordered(q)
    return exportRows((f, o, p) => services.referrals.list(actor, f, o, p), filter, order)
  })
  exportRoute('leads', 'lead', LeadListQuery, (actor, q) => {
    const { filter: { tag, ...filter }, order } = ordered(q)
    return exportRows((f, o, p) => services.leads.list(actor, f, o, p), { ...filter, ...(tag ? { tags: tag } : {}) }, order)
  })
  exportRoute('opportunities', 'opportunity', OpportunityListQuery, (actor, q) => {
    const { filter, order } = ordered(q)
    return exportRows((f, o, p) => services.opportunities.list(actor, f, o, p), filter, order)
  })
  exportRoute('rewards', 'ledger entry', RewardListQuery, (actor, q) => {
    const { filter, order } = ordered(q)
    return exportRows((f, o, p) => services.rewards.list(actor, f, o, p), filter, order)
  })
  exportRoute('tickets', 'ticket', TicketListQuery, (actor, q) => {
    const { filter, order } = ordered(q)
    return exportRows((f, o, p) => services.tickets.list(actor, f, o, p), filter, order)
  })
}
