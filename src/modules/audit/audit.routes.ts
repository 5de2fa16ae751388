import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import { ndjson } from '../bulk/export-pages.js'
import type { Services } from '../services.js'
import { AuditEntryView, AuditListQuery } from './audit.schemas.js'

/**
 * GET /api/v1/audit: the audit trail, newest first, `{ data, nextCursor }`; with
 * `Accept: application/x-ndjson` (or `format=ndjson`) every matching entry as NDJSON.
 * No route changes or deletes an entry.
 */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.get('/audit', {
    schema: {
      tags: ['audit'], summary: 'Audit entries (writes and reads of personal data), newest first; NDJSON with Accept: application/x-ndjson',
      produces: ['application/json', 'application/x-ndjson'], querystring: AuditListQuery,
      response: { 200: listResponse(AuditEntryView), ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const { limit, cursor, format, ...filter } = request.query
    const wantsNdjson = format === 'ndjson' || (format === undefined && /application\/x-ndjson/i.test(request.headers.accept ?? ''))
    if (wantsNdjson) {
      const rows = await services.audit.export(actor, filter)
      return reply.type('application/x-ndjson; charset=utf-8').header('content-disposition', 'attachment; filename="audit.ndjson"')
        .send(Readable.from(ndjson(rows)))
    }
    return listBody(await services.audit.list(actor, filter, { first: limit, after: cursor }))
  })
}
