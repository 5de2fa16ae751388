import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CrmError } from '../../errors.js'
import type { Services } from '../services.js'
import { PublicSurveyAnswer, PublicSurveyAnswered, PublicSurveyView, TokenParams } from './surveys.schemas.js'

const MINUTE = 60_000
const problems = { 400: Type.Ref('Problem'), 404: Type.Ref('Problem'), 409: Type.Ref('Problem'), 429: Type.Ref('Problem') }

/**
 * GET|POST /api/v1/public/surveys/{token}: the survey page a message links to, without a
 * login; the token is the key. Limited per client IP per minute (PUBLIC_RATE_LIMIT_PER_IP,
 * in this process's memory, as the referral form is), so tokens cannot be guessed in bulk.
 */
export const publicSurveyRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['public']
  await app.register(rateLimit, { global: false })
  const byIp = (route: string) => {
    const limiter = app.createRateLimit({ max: app.config.PUBLIC_RATE_LIMIT_PER_IP, timeWindow: MINUTE, keyGenerator: (r) => `ip:survey-${route}:${r.ip}` })
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await limiter(request)
      if (!result.isAllowed && result.isExceeded) {
        reply.header('retry-after', String(result.ttlInSeconds))
        throw new CrmError('CRM_ERR_RATE_LIMITED', `Too many requests; retry in ${result.ttlInSeconds} s`)
      }
    }
  }

  app.get('/public/surveys/:token', {
    config: { public: true },
    onRequest: byIp('read'),
    schema: {
      tags, security: [], params: TokenParams, response: { 200: PublicSurveyView, ...problems },
      summary: 'The question behind a survey link: kind, text (zh/en), scale; nothing about the customer. 404 if unknown, answered or expired'
    }
  }, async (request, reply) => {
    // The URL carries the token: no shared cache may keep the page.
    reply.header('cache-control', 'no-store')
    return services.surveys.publicQuestion(request.params.token)
  })

  app.post('/public/surveys/:token', {
    config: { public: true },
    onRequest: byIp('answer'),
    schema: {
      tags, security: [], params: TokenParams, body: PublicSurveyAnswer, response: { 201: PublicSurveyAnswered, ...problems },
      summary: 'Answer a survey by its link: one answer per invitation (409 ALREADY_ANSWERED for a second; 404 if unknown or expired)'
    }
  }, async (request, reply) => {
    const response = await services.surveys.answer(request.params.token, request.body, { requestId: request.id })
    reply.code(201)
    return { status: 'answered' as const, kind: response.kind, score: response.score }
  })
}
