import fp from 'fastify-plugin'
import { CrmError } from '../errors.js'
import { tooDeep } from '../lib/json-depth.js'
import { deepLiteral } from '../http/graphql-literal-depth.js'
import { GRAPHQL_PATH } from '../http/idempotency-intent.js'

export type InputLimitsOptions = {
  /** The deepest nesting of objects and arrays a JSON body, a GraphQL variable or an inline literal may have. */
  maxDepth: number
}

const tooDeepError = (field: string | null, maxDepth: number) => {
  const message = `is nested more than ${maxDepth} levels deep; at most ${maxDepth} levels of objects and arrays are allowed`
  return new CrmError('CRM_ERR_VALIDATION', `${field ?? 'input'}: ${message}`, [{ field, message, code: 'TOO_DEEP' }])
}

/**
 * Refuses input nested deeper than INPUT_MAX_DEPTH before anything walks it: the JSON
 * body parser checks every body as it parses it, and a hook checks GraphQL query text
 * before graphql-js parses it. Both run before the Idempotency-Key claim (preValidation,
 * registered later), so a refused request neither stores nor consumes its key, and no
 * recursion downstream (request hashing, jsonb mapping, the GraphQL parser) sees it.
 */
export default fp<InputLimitsOptions>(async (app, opts) => {
  const { maxDepth } = opts
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parseJson(request, body as string, (err: Error | null, value?: unknown) => {
      if (err) return done(err)
      if (request.url.split('?')[0] === GRAPHQL_PATH) {
        // Each variable counts from its own value, as a REST body member or an inline argument does.
        const variables = (value as { variables?: unknown } | null)?.variables
        const inVariables = tooDeep(variables, maxDepth + 1)
        if (inVariables) return done(tooDeepError(variableName(inVariables), maxDepth))
        if (tooDeep(value, maxDepth + 2)) return done(tooDeepError(null, maxDepth))
      } else {
        const path = tooDeep(value, maxDepth)
        if (path) return done(tooDeepError(path[0] ?? null, maxDepth))
      }
      done(null, value)
    })
  })

  app.addHook('preValidation', (request, _reply, done) => {
    if (request.routeOptions.url !== GRAPHQL_PATH) return done()
    const source = (request.method === 'GET' ? request.query : request.body) as { query?: unknown; variables?: unknown } | null
    if (typeof source?.query === 'string') {
      const path = deepLiteral(source.query, maxDepth)
      if (path) return done(tooDeepError(path, maxDepth))
    }
    // GET carries the variables as JSON text in the query string.
    if (request.method === 'GET' && typeof source?.variables === 'string') {
      let variables: unknown
      try { variables = JSON.parse(source.variables) } catch { return done() }
      const path = tooDeep(variables, maxDepth)
      if (path) return done(tooDeepError(variableName(path), maxDepth))
    }
    done()
  })
}, { name: 'input-limits' })

// The variable, and its member when it has one: `$i.attributes`.
function variableName(path: string[]): string | null {
  return path.length > 0 ? ['$' + path[0], ...path.slice(1, 2)].join('.') : null
}
