import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { StringEnum } from '../common/schemas.js'
import { duplicateReasons } from '../../rules/dedupe.js'
import type { Services } from '../services.js'
import type { DuplicateEntityName } from './duplicates.service.js'

const DuplicatesQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 500 })),
  reason: Type.Optional(Type.Array(StringEnum(duplicateReasons), { maxItems: 3, description: 'Only pairs found for any of these reasons (default all)' }))
}, { additionalProperties: false })

const DuplicateCandidateView = Type.Object({
  id: Type.String({ description: '<first id>:<second id>' }),
  entity: Type.String(),
  ids: Type.Array(Type.String(), { description: 'The two records, lower id first: POST /customers/{survivor}/merge with the other' }),
  reasons: Type.Array(Type.String()),
  score: Type.Number({ description: 'PHONE 1, EMAIL 0.95, NAME_COMPANY 0.9 × similarity; a pair scores its best reason' })
})

/** GET /api/v1/customers/duplicates and /referrers/duplicates: the duplicateCandidates list, resource style. */
export const duplicatesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const list = (entity: DuplicateEntityName, path: string, tag: string) => app.get(path, {
    schema: {
      tags: [tag], summary: 'Pairs of likely duplicates (same phone, same email, similar name + company) among the records you can see, best first',
      querystring: DuplicatesQuery, response: { 200: listResponse(DuplicateCandidateView), ...errorResponses }
    }
  }, async (request) => {
    const { limit, cursor, reason } = request.query
    return listBody(await services.duplicates.candidates(requireActor(request), entity, reason, { first: limit, after: cursor }))
  })
  list('CUSTOMER', '/customers/duplicates', 'customers')
  list('REFERRER', '/referrers/duplicates', 'referrers')
}
