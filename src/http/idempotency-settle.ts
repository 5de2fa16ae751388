import type { FastifyReply, FastifyRequest } from 'fastify'
import { CrmError, errorCatalog } from '../errors.js'
import type { RequestTx } from '../db/request-tx.js'
import type { IdempotencyClaim, IdempotencyService } from '../modules/idempotency/idempotency.service.js'
import { storableResponse } from './idempotency-response.js'
import { toCrmError, toProblem } from './problem.js'

/** A keyed request being answered: its claim on the key and its transaction scope. */
export type Settling = { claim: IdempotencyClaim; graphql: boolean; scope: RequestTx }

const lostClaim = () => {
  const message = 'The first request with this Idempotency-Key is still running; retry shortly'
  return new CrmError('CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT', message, [{ field: 'Idempotency-Key', message, code: 'IDEMPOTENCY_KEY_IN_FLIGHT' }])
}

/**
 * Settles a keyed request as its answer goes out (onSend), and returns what to send.
 * A request that wrote commits its writes WITH the stored answer, in one transaction; if
 * that commit fails, nothing was kept and an error goes out instead of the answer (the
 * claim is released, so the retry runs afresh). An answer that releases the key (5xx,
 * transient) rolls the request's writes back. A request that wrote nothing stores its
 * answer on its own.
 */
export async function settle(service: IdempotencyService, request: FastifyRequest, reply: FastifyReply, active: Settling, payload: unknown): Promise<unknown> {
  const { claim, graphql, scope } = active
  const log = (what: string) => (err: unknown) => request.log.error({ err }, what)
  const response = storableResponse(reply, payload, graphql)
  if (!scope.hasTransaction) {
    scope.close()
    await (response ? service.complete(claim, response) : service.release(claim)).catch(log('could not record the Idempotency-Key outcome'))
    return payload
  }
  if (!response) {
    const wrote = scope.wrote
    await scope.rollback()
    await service.release(claim).catch(log('could not release an Idempotency-Key'))
    // The answer may show mutations as done: they were rolled back with the rest.
    return graphql && wrote ? withoutData(payload) : payload
  }
  try {
    await scope.commit(async (tx) => {
      // Taken over (our lock ran out): the new holder runs the request, so ours must not commit.
      if (!(await service.complete(claim, response, tx))) throw lostClaim()
    })
    return payload
  } catch (err) {
    const crm = toCrmError(err)
    if (crm.code === 'CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT') {
      reply.header('retry-after', '1')
    } else {
      log('could not commit a request with its Idempotency-Key answer')(err)
      // Deletes only a claim still in flight: after a commit whose reply was lost, the stored answer stays.
      await service.release(claim).catch(log('could not release an Idempotency-Key'))
    }
    return answerInstead(request, reply, crm, graphql)
  }
}

/** The request went without an answer through onSend: undo its writes and free the key. */
export async function abandon(service: IdempotencyService, request: FastifyRequest, active: Settling): Promise<void> {
  await active.scope.rollback()
  await service.release(active.claim).catch((err: unknown) => request.log.error({ err }, 'could not release an Idempotency-Key'))
}

/** An error answer in place of one that could not be kept, shaped as the error handlers shape theirs. */
function answerInstead(request: FastifyRequest, reply: FastifyReply, crm: CrmError, graphql: boolean): string {
  reply.code(crm.status)
  reply.removeHeader('location')
  reply.removeHeader('etag')
  if (graphql) {
    reply.type('application/json; charset=utf-8')
    const extensions = { code: errorCatalog[crm.code].graphql, ...(crm.fieldErrors.length ? { fields: crm.fieldErrors } : {}) }
    return JSON.stringify({ data: null, errors: [{ message: crm.message, extensions }] })
  }
  reply.type('application/problem+json')
  return JSON.stringify(toProblem(crm, request.url))
}

/** A GraphQL answer with its data dropped (its errors kept): nothing it reported done was kept. */
function withoutData(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : null
  if (text === null) return payload
  try {
    const answer = JSON.parse(text) as { data?: unknown; errors?: unknown }
    return answer.data ? JSON.stringify({ data: null, errors: answer.errors }) : payload
  } catch {
    return payload
  }
}
