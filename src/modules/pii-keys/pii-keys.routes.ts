import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import type { Services } from '../services.js'
import { startReseal } from './pii-keys.start.js'

const Status = Type.Object({
  currentKeyId: Type.String(),
  previousKeyIds: Type.Array(Type.String()),
  staleValues: Type.Integer({ description: 'Values not under the current key; 0: PII_KEYS_PREVIOUS can be removed' }),
  stale: Type.Array(Type.Object({ table: Type.String(), column: Type.String(), keyId: Type.String(), count: Type.Integer() }))
}, { $id: 'PiiKeyStatus' })

/** /api/v1/pii-keys: the key rotation's status and the re-seal (admin only), as in GraphQL. */
export const piiKeysRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['security']
  app.get('/pii-keys/status', {
    schema: { tags, summary: 'Personal-data keys: the current one, the previous ones, and how many values each old key still holds', response: { 200: Status, ...errorResponses } }
  }, async (request) => services.piiKeys.status(requireActor(request)))

  app.post('/pii-keys/reseal', {
    schema: {
      tags, summary: 'Re-seal every value and rebuild every blind index under the current PII_KEY (queued as the pii-reseal job)',
      response: { 202: Type.Object({ queued: Type.Boolean(), status: Status }), ...errorResponses }
    }
  }, async (request, reply) => reply.code(202).send(await startReseal(app, requireActor(request))))
}
