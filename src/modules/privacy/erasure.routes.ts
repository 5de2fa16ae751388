import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import type { Services } from '../services.js'
import { ErasureRequest, ErasureView } from './erasure.schemas.js'

/** POST /api/v1/privacy/erasures: the same erasure as erasePersonalData (docs/privacy.md). */
export const erasureRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/privacy/erasures', {
    schema: {
      tags: ['privacy'], summary: "Erase a person's personal data everywhere (admins only; irreversible)",
      body: ErasureRequest, response: { 201: ErasureView, ...errorResponses }
    }
  }, async (request, reply) => {
    reply.code(201)
    return services.erasure.erase(requireActor(request), request.body)
  })
}
