import fp from 'fastify-plugin'
import { CrmError, errorCatalog } from '../errors.js'
import { toCrmError, toProblem } from '../http/problem.js'

/**
 * One error handler: problem+json for REST, GraphQL-shaped errors for /graphql.
 * A 5xx never shows its internals; it is logged with the request id instead.
 */
export default fp(async (app) => {
  app.setErrorHandler((error, request, reply) => {
    const crm = toCrmError(error)
    if (crm.status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ code: crm.code, detail: crm.message }, 'request refused')
    reply.code(crm.status)
    if (request.url.startsWith('/graphql')) {
      return reply.send({
        data: null,
        errors: [{ message: crm.message, extensions: { code: errorCatalog[crm.code].graphql, ...(crm.fieldErrors.length ? { fields: crm.fieldErrors } : {}) } }]
      })
    }
    return reply.type('application/problem+json').send(toProblem(crm, request.url))
  })

  app.setNotFoundHandler((request, reply) => {
    const crm = new CrmError('CRM_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)
    reply.code(404).type('application/problem+json').send(toProblem(crm, request.url))
  })
}, { name: 'errors' })

