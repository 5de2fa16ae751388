import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { invalid } from '../../errors.js'
import { errorResponses } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import type { Services } from '../services.js'
import { ndjson } from '../bulk/export-pages.js'
import { PersonalDataExportView, PersonalDataSubjectInput } from './export.schemas.js'

const NDJSON = 'application/x-ndjson'

/**
 * POST /api/v1/privacy/exports: one person's data (docs/privacy.md). JSON by default;
 * `Accept: application/x-ndjson` streams a header line, then one line per record with its kind.
 */
export const privacyExportRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/privacy/exports', {
    schema: {
      tags: ['privacy'], summary: "A person's data (PIPL access and portability): every record, clear values; audited as privacy.exported",
      body: PersonalDataSubjectInput, produces: ['application/json', NDJSON], response: { 200: PersonalDataExportView, ...errorResponses }
    }
  }, async (request, reply) => {
    const actor = requireActor(request)
    reply.header('cache-control', 'no-store')
    if (!wantsNdjson(request.headers.accept)) return services.privacyExport.document(actor, request.body)
    // A stream is never stored for replay, and an unstored keyed request is rolled back: the export's audit entry with it.
    if (request.headers['idempotency-key'] !== undefined) {
      throw invalid('Idempotency-Key', 'is not accepted with Accept: application/x-ndjson (a stream cannot be replayed); send the request without it', 'NOT_REPLAYABLE')
    }
    const { header, ids } = await services.privacyExport.start(actor, request.body, 'ndjson')
    async function* lines() {
      yield { kind: 'export', ...header }
      yield* services.privacyExport.records(ids)
    }
    return reply.type(`${NDJSON}; charset=utf-8`).header('content-disposition', `attachment; filename="personal-data-${header.exportId}.ndjson"`)
      .send(Readable.from(ndjson(lines())))
  })
}

/** NDJSON only when the client asks for it before (or instead of) JSON. */
function wantsNdjson(accept: string | undefined): boolean {
  if (!accept) return false
  const types = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 }
  }).filter((t) => t.q > 0)
  const rank = (names: string[]) => Math.max(-1, ...types.filter((t) => names.includes(t.type)).map((t) => t.q))
  const nd = rank([NDJSON, 'application/ndjson', 'application/jsonl'])
  return nd > 0 && nd >= rank(['application/json'])
}
