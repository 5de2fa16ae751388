import rateLimit from '@fastify/rate-limit'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { CrmError } from '../../errors.js'
import type { Services } from '../services.js'
import { PublicReply, PublicTicketView, TokenParams } from './tickets.schemas.js'

const MINUTE = 60_000
const problems = { 400: Type.Ref('Problem'), 404: Type.Ref('Problem'), 422: Type.Ref('Problem'), 429: Type.Ref('Problem') }

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>

/**
 * /api/v1/public/tickets/{token}: the customer's tracking page, without an account. Limited per
 * client IP, and replies also per ticket, per minute, in this process's memory.
 */
export const publicTicketRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['public']
  const { PUBLIC_RATE_LIMIT_PER_IP: perIp, PUBLIC_RATE_LIMIT_PER_TICKET: perTicket } = app.config
  await app.register(rateLimit, { global: false })
  const byIp = (route: string) => app.createRateLimit({ max: perIp, timeWindow: MINUTE, keyGenerator: (r) => `ip:${route}:${r.ip}` })
  const byTicket = app.createRateLimit({
    max: perTicket, timeWindow: MINUTE, keyGenerator: (r) => `ticket:${(r.params as { token?: string }).token ?? '-'}`
  })
  const limit = (limiter: Limiter) => async (request: FastifyRequest, reply: FastifyReply) => {
    const result = await limiter(request)
    if (!result.isAllowed && result.isExceeded) {
      reply.header('retry-after', String(result.ttlInSeconds))
      throw new CrmError('CRM_ERR_RATE_LIMITED', `Too many requests; retry in ${result.ttlInSeconds} s`)
    }
  }

  app.get('/public/tickets/:token', {
    config: { public: true },
    onRequest: limit(byIp('ticket-view')),
    schema: {
      tags, security: [], params: TokenParams, response: { 200: PublicTicketView, ...problems },
      summary: "A ticket's progress by its tracking token: status, public replies, expected resolution (404 if unknown)"
    }
  }, async (request) => services.ticketTracking.view(request.params.token))

  app.post('/public/tickets/:token/replies', {
    config: { public: true },
    onRequest: limit(byIp('ticket-reply')),
    preHandler: limit(byTicket),
    schema: {
      tags, security: [], params: TokenParams, body: PublicReply, response: { 201: PublicTicketView, ...problems },
      summary: "The customer's reply by tracking token: resumes a ticket waiting for them, reopens a resolved one within the window"
    }
  }, async (request, reply) => {
    const view = await services.ticketTracking.reply(request.params.token, request.body, request.id)
    reply.code(201)
    return view
  })
}
