import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CrmError } from '../../errors.js'
import { normalizeReferralCode } from '../../rules/referral-code.js'
import type { Services } from '../services.js'
import {
  CodeParams, ConsentConfirm, PublicAccepted, PublicConsentAnswer, PublicReferralSubmit, PublicReferrerQuery, PublicReferrerView
} from './referrals.schemas.js'

const MINUTE = 60_000
const problems = { 400: Type.Ref('Problem'), 404: Type.Ref('Problem'), 422: Type.Ref('Problem'), 429: Type.Ref('Problem') }
/** The one answer of the public form: it never says what became of the person. */
const RECEIVED = { status: 'received' as const, message: 'Thank you. The person will be asked to confirm before anyone contacts them.' }

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>

/**
 * /api/v1/public/*: the landing page, form and QR entry points, without a token. Limited
 * per client IP (every route) and per referral code (submissions), per minute, in this
 * process's memory (docs/referrals.md: several processes multiply the allowance).
 */
export const publicReferralRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['public']
  const { PUBLIC_RATE_LIMIT_PER_IP: perIp, PUBLIC_RATE_LIMIT_PER_CODE: perCode } = app.config
  await app.register(rateLimit, { global: false })
  const byIp = (route: string) => app.createRateLimit({ max: perIp, timeWindow: MINUTE, keyGenerator: (r) => `ip:${route}:${r.ip}` })
  const byCode = app.createRateLimit({
    max: perCode, timeWindow: MINUTE,
    keyGenerator: (r) => `code:${codeOf((r.body as { referralCode?: unknown } | undefined)?.referralCode)}`
  })
  const limit = (limiter: Limiter) => async (request: FastifyRequest, reply: { header: (k: string, v: string) => unknown }) => {
    const result = await limiter(request)
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', String(result.ttlInSeconds))
      throw new CrmError('CRM_ERR_RATE_LIMITED', `Too many requests; retry in ${result.ttlInSeconds} s`)
    }
  }
  const meta = (request: FastifyRequest) => ({ ip: request.ip, requestId: request.id })

  app.post('/public/referrals', {
    config: { public: true },
    onRequest: limit(byIp('submit')),
    preHandler: limit(byCode),
    schema: {
      tags, security: [], body: PublicReferralSubmit, response: { 202: PublicAccepted, ...problems },
      summary: 'Refer someone by referral code (no token). The same 202 whatever becomes of it; 404 for an unknown code'
    }
  }, async (request, reply) => {
    await services.referrals.submitPublic(request.body, meta(request))
    reply.code(202)
    return RECEIVED
  })

  app.post('/public/referrals/consent', {
    config: { public: true },
    onRequest: limit(byIp('consent')),
    schema: {
      tags, security: [], body: ConsentConfirm, response: { 200: PublicConsentAnswer, ...problems },
      summary: "The referred person's answer by consent token (no token needed beyond it)"
    }
  }, async (request) => {
    const row = await services.referrals.confirmConsent(null, request.body, meta(request))
    return { status: row.status === 'rejected' ? 'rejected' as const : 'submitted' as const }
  })

  app.get('/public/referrers/:code', {
    config: { public: true },
    onRequest: limit(byIp('referrer')),
    schema: {
      tags, security: [], params: CodeParams, querystring: PublicReferrerQuery, response: { 200: PublicReferrerView, ...problems },
      summary: "A landing page's referrer: display name and running campaign, nothing personal (404 if unknown)"
    }
  }, async (request) => services.referrals.publicReferrer(request.params.code, request.query.campaignId))
}

function codeOf(value: unknown): string {
  if (typeof value !== 'string') return '-'
  const code = normalizeReferralCode(value)
  return code.ok ? code.value : '-'
}
