import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CrmError } from '../../errors.js'
import { errorResponses, listBody, listResponse } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { ConsentListQuery, ConsentRecordInput, ConsentStateView, ConsentView, ConsentWithdrawInput, UnsubscribeParams, UnsubscribedView } from './consents.schemas.js'

const MINUTE = 60_000
const problems = { 400: Type.Ref('Problem'), 404: Type.Ref('Problem'), 429: Type.Ref('Problem') }

/** /api/v1/consents, /api/v1/customers/{id}/consents, /api/v1/referrers/{id}/consents and the public unsubscribe link. */
export const consentsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['consents']

  app.get('/consents', {
    schema: { tags, summary: 'Consent records (the history), newest first', querystring: ConsentListQuery, response: { 200: listResponse(ConsentView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.consents.list(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.post('/consents', {
    schema: { tags, summary: 'Record a consent (granted: true by default) for a customer or a referrer', body: ConsentRecordInput, response: { 201: ConsentView, ...errorResponses } }
  }, async (request, reply) => {
    reply.code(201)
    return services.consents.record(requireActor(request), request.body)
  })

  app.post('/consents/withdrawals', {
    schema: { tags, summary: 'Withdraw a purpose on a channel (any: every channel); queued and held messages it covers are blocked', body: ConsentWithdrawInput, response: { 201: ConsentView, ...errorResponses } }
  }, async (request, reply) => {
    reply.code(201)
    return services.consents.withdraw(requireActor(request), request.body)
  })

  app.get('/customers/:id/consents', {
    schema: { tags, summary: "The customer's current consent per purpose and channel", params: IdParams, response: { 200: Type.Array(ConsentStateView), ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    const customer = await services.customers.get(actor, request.params.id)
    return (await services.consents.currentOf(actor, [customer.id]))[0]
  })

  app.get('/referrers/:id/consents', {
    schema: { tags, summary: "The referrer's current consent per purpose and channel", params: IdParams, response: { 200: Type.Array(ConsentStateView), ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    const referrer = await services.referrers.get(actor, request.params.id)
    return (await services.consents.currentOfReferrers(actor, [referrer.id]))[0]
  })

  await app.register(publicUnsubscribeRoutes, { services })
}

/**
 * GET|POST /api/v1/public/unsubscribe/{token}: the link in every marketing message (GET for a
 * click, POST for mail clients' one-click List-Unsubscribe-Post). No login; limited per IP.
 */
const publicUnsubscribeRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  await app.register(rateLimit, { global: false })
  const limiter = app.createRateLimit({ max: app.config.PUBLIC_RATE_LIMIT_PER_IP, timeWindow: MINUTE, keyGenerator: (r) => `ip:unsubscribe:${r.ip}` })
  const byIp = async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await limiter(request)
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', String(result.ttlInSeconds))
      throw new CrmError('CRM_ERR_RATE_LIMITED', `Too many requests; retry in ${result.ttlInSeconds} s`)
    }
  }
  const handler = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store')
    const done = await services.consents.unsubscribe(request.params.token, { requestId: request.id })
    return { status: 'unsubscribed' as const, ...done, message: 'You will receive no more marketing messages on this channel.' }
  }
  for (const method of ['GET', 'POST'] as const) {
    app.route({
      method, url: '/public/unsubscribe/:token', config: { public: true }, onRequest: byIp,
      schema: {
        tags: ['public'], security: [], params: UnsubscribeParams, response: { 200: UnsubscribedView, ...problems },
        summary: 'Unsubscribe by the link of a message: marketing withdrawn on its channel (the same answer when followed again; 404 for a forged link)'
      },
      handler
    })
  }
}
