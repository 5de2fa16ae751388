import fp from 'fastify-plugin'
import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import { CrmError } from '../errors.js'
import { idempotencyIntent, type IdempotencyIntent } from '../http/idempotency-intent.js'
import { sendReplay } from '../http/idempotency-response.js'
import { abandon, settle, type Settling } from '../http/idempotency-settle.js'
import { RequestTx, runInRequestTx } from '../db/request-tx.js'
import type { IdempotencyClaim, IdempotencyService } from '../modules/idempotency/idempotency.service.js'

/** A request running under its key: the claim, its transaction scope, and the timer that keeps the claim alive. */
type ActiveClaim = Settling & { heartbeat: NodeJS.Timeout }

declare module 'fastify' {
  interface FastifyRequest {
    /** Set while this request holds an Idempotency-Key claim (docs/idempotency.md). */
    idempotency: ActiveClaim | null
  }
}

export type IdempotencyPluginOptions = {
  service: IdempotencyService
  /** The clock (tests may move it). */
  now?: () => Date
}

const keyError = (code: 'CRM_ERR_IDEMPOTENCY_KEY_REUSED' | 'CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT', message: string, fieldCode: string) =>
  new CrmError(code, message, [{ field: 'Idempotency-Key', message, code: fieldCode }])

/**
 * Idempotency-Key on writes: the first request with a key claims it (preValidation, so
 * a schema refusal is stored too) and runs in a request transaction (src/db/request-tx.ts)
 * that commits its writes with its answer as that is sent (onSend); a retry gets that
 * answer back, a different request with the key 422, a retry while the first runs 409. A
 * 5xx rolls back and releases the key. Requests without a key pay one header lookup.
 */
export default fp<IdempotencyPluginOptions>(async (app, opts) => {
  const { service } = opts
  const now = opts.now ?? (() => new Date())
  app.decorateRequest('idempotency', null)

  app.addHook('preValidation', (request, reply, done) => {
    let intent: IdempotencyIntent | null
    try {
      intent = idempotencyIntent(request)
    } catch (err) {
      done(err as Error)
      return
    }
    if (!intent) {
      done()
      return
    }
    const { graphql } = intent
    service.claim(intent.scope, intent.key, intent.requestHash, now()).then((result) => {
      switch (result.kind) {
        case 'claimed': {
          // The heartbeat is made outside the scope: it must renew the claim on its own connection.
          const scope = new RequestTx()
          request.idempotency = { claim: result.claim, graphql, scope, heartbeat: keepAlive(result.claim, request.log) }
          runInRequestTx(scope, done)
          return
        }
        case 'replay':
          // The answer is sent: the route's validation and handler must not run, so no done().
          sendReplay(reply, result.response)
          return
        case 'mismatch':
          done(keyError('CRM_ERR_IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different request; use a new key for a new request', 'IDEMPOTENCY_KEY_REUSED'))
          return
        case 'in_flight':
          reply.header('retry-after', '1')
          done(keyError('CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT', 'The first request with this Idempotency-Key is still running; retry shortly', 'IDEMPOTENCY_KEY_IN_FLIGHT'))
      }
    }, (err: Error) => done(err))
  })

  app.addHook('onSend', (request, reply, payload, done) => {
    const active = take(request)
    if (!active) {
      done(null, payload)
      return
    }
    settle(service, request, reply, active, payload).then((out) => done(null, out), (err: unknown) => {
      request.log.error({ err }, 'could not settle an Idempotency-Key')
      done(null, payload)
    })
  })

  // No answer was sent through onSend (the connection dropped, a hook failed): undo and let the key go.
  app.addHook('onResponse', (request, _reply, done) => {
    const active = take(request)
    if (active) void abandon(service, request, active)
    done()
  })

  function keepAlive(claim: IdempotencyClaim, log: FastifyBaseLogger): NodeJS.Timeout {
    // Renewed well within the lock, so only a dead process loses it.
    const timer = setInterval(() => {
      service.extend(claim, now()).catch((err: unknown) => log.warn({ err }, 'could not renew an Idempotency-Key lock'))
    }, Math.floor(service.lockMs / 3))
    timer.unref()
    return timer
  }
}, { name: 'idempotency', dependencies: ['auth'] })

function take(request: FastifyRequest): ActiveClaim | null {
  const active = request.idempotency
  if (!active) return null
  request.idempotency = null
  clearInterval(active.heartbeat)
  return active
}
