import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { CrmError } from '../errors.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** How long an authenticated request's body may take on this route (a streamed import), instead of HTTP_REQUEST_TIMEOUT_MS. */
    bodyTimeoutMs?: number
  }
}

export type RequestTimeoutsOptions = { bodyTimeoutMs: number }

const timers = new WeakMap<FastifyRequest, NodeJS.Timeout>()

/**
 * The body timeout (docs/security.md, "Request timeouts"): a request whose body has not
 * arrived in full within HTTP_REQUEST_TIMEOUT_MS of its headers is answered 408 and its
 * connection closed, so a client trickling a body a byte at a time cannot hold a
 * connection. Node's own requestTimeout is one limit for every route; a streamed import
 * needs longer, so the limit is kept here, per request: started before authentication (an
 * anonymous client gets the short one), lengthened once the route allows it and the
 * caller is authenticated. The headers timeout is Node's (src/app.ts).
 */
export default fp<RequestTimeoutsOptions>(async (app, opts) => {
  app.addHook('onRequest', (request, reply, done) => {
    if (awaitsBody(request)) arm(request, reply, opts.bodyTimeoutMs)
    done()
  })
  app.addHook('preParsing', (request, reply, payload, done) => {
    const longer = request.routeOptions.config.bodyTimeoutMs
    if (longer && request.actor && timers.has(request)) arm(request, reply, longer)
    done(null, payload)
  })
}, { name: 'request-timeouts' })

function awaitsBody(request: FastifyRequest): boolean {
  const { headers, raw } = request
  if (raw.complete) return false
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0')
}

function arm(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  const raw = request.raw
  const previous = timers.get(request)
  if (previous) clearTimeout(previous)
  else {
    const clear = () => { clearTimeout(timers.get(request)); timers.delete(request) }
    raw.once('end', clear)
    raw.once('close', clear)
  }
  timers.set(request, setTimeout(() => expire(request, reply, ms), ms).unref())
}

function expire(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  timers.delete(request)
  if (request.raw.complete) return
  request.log.info({ timeoutMs: ms }, 'request body timed out: connection closed')
  // An injected request (tests, light-my-request) has a stand-in socket without destroy().
  const raw = request.raw.socket as { destroy?: unknown } | null | undefined
  const destroy = () => { if (typeof raw?.destroy === 'function') (raw.destroy as () => void).call(raw) }
  if (!reply.sent && !reply.raw.headersSent) {
    // Connection: close makes Node end the socket once the answer is out, unread body and all.
    reply.code(408).header('connection', 'close').send(new CrmError('CRM_ERR_REQUEST_TIMEOUT', `The request body did not arrive within ${ms} ms`))
    setTimeout(destroy, 1000).unref()
  } else {
    destroy()
  }
}
