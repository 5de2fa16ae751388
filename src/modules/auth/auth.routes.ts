import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses } from '../../http/rest.js'
import { Uuid } from '../common/schemas.js'
import type { AuthService } from './auth.service.js'

const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the token expires' })
})

/** POST /api/v1/auth/token (API key → JWT) and /auth/referrer-token. */
export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService }> = async (app, { auth }) => {
  app.post('/auth/token', {
    // Failed attempts are counted per client address (brute-force guard, src/plugins/rate-limits.ts).
    config: { public: true, limitFailuresPerIp: 'token' },
    schema: {
      tags: ['auth'],
      summary: 'Exchange an API key for a short-lived access token',
      security: [],
      body: Type.Object({ apiKey: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
      response: { 200: TokenResponse, 400: Type.Ref('Problem'), 401: Type.Ref('Problem'), 429: Type.Ref('Problem') }
    }
  }, async (request) => auth.issueToken(request.body.apiKey))

  app.post('/auth/referrer-token', {
    config: { limitFailuresPerIp: 'referrer-token' },
    schema: {
      tags: ['auth'],
      summary: "Issue a token for one referrer's own frontend session (admin or integration)",
      body: Type.Object({ referrerId: Uuid }, { additionalProperties: false }),
      response: { 200: TokenResponse, ...errorResponses }
    }
  }, async (request) => auth.issueReferrerToken(requireActor(request), request.body.referrerId))
}
