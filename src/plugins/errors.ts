import fp from 'fastify-plugin'
import { CrmError, errorCatalog, graphqlReason, retryAfterSeconds } from '../errors.js'
import { toCrmError, toProblem } from '../http/problem.js'
import { answerLocale, localizedProblem } from '../i18n/localize.js'
import { translate, translateFieldErrors } from '../i18n/translate.js'

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
    const retryAfter = retryAfterSeconds[crm.code]
    if (retryAfter) reply.header('retry-after', String(retryAfter))
    // Messages in the caller's language (Accept-Language); codes are the same in every language.
    const locale = answerLocale(request, reply)
    if (request.url.startsWith('/graphql')) {
      const reason = graphqlReason[crm.code]
      const fields = translateFieldErrors(crm.fieldErrors, locale)
      return reply.send({
        data: null,
        errors: [{ message: translate(crm.message, locale), extensions: { code: errorCatalog[crm.code].graphql, ...(reason ? { reason } : {}), ...(fields.length ? { fields } : {}) } }]
      })
    }
    return reply.type('application/problem+json').send(localizedProblem(toProblem(crm, request.url), locale))
  })

  app.setNotFoundHandler((request, reply) => {
    const crm = new CrmError('CRM_ERR_NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)
    reply.code(404).type('application/problem+json').send(localizedProblem(toProblem(crm, request.url), answerLocale(request, reply)))
  })
}, { name: 'errors' })

