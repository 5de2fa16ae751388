import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import mercurius, { type IResolvers, type MercuriusLoaders } from 'mercurius'
import { GraphQLError, type ExecutionResult } from 'graphql'
import { CrmError, errorCatalog } from '../errors.js'
import { toCrmError } from '../http/problem.js'
import { totalCountResolver } from '../graphql/connection.js'
import type { Actor } from '../modules/auth/actor.js'
import type { Services } from '../modules/services.js'

declare module 'mercurius' {
  interface MercuriusContext {
    actor: Actor | null
    services: Services
  }
}

export const schemaFolder = fileURLToPath(new URL('../../schema', import.meta.url))

/** The public contract: every schema/*.graphql file, in name order, as one SDL. */
export function loadSchema(): string {
  return readdirSync(schemaFolder).filter((f) => f.endsWith('.graphql')).sort()
    .map((f) => readFileSync(join(schemaFolder, f), 'utf8')).join('\n')
}

export type GraphqlPluginOptions = {
  services: Services
  resolvers: IResolvers
  loaders: MercuriusLoaders
}

/** Mercurius at /graphql (GraphiQL at /graphiql), JIT-compiled, errors mapped to extensions.code. */
export default fp<GraphqlPluginOptions>(async (app, opts) => {
  const schema = loadSchema()
  // Every *Connection type counts lazily: totalCount runs its query only when selected.
  const resolvers: Record<string, unknown> = { ...opts.resolvers }
  for (const [, type] of schema.matchAll(/^type (\w+Connection)\b/gm)) {
    resolvers[type] = { ...(resolvers[type] as object | undefined), ...totalCountResolver }
  }
  await app.register(mercurius, {
    schema,
    resolvers: resolvers as IResolvers,
    loaders: opts.loaders,
    graphiql: true,
    jit: 1,
    queryDepth: 12,
    context: (request) => ({ actor: request.actor, services: opts.services }),
    errorFormatter: (execution, ctx) => {
      let requestError = false
      const log = ctx.reply?.log ?? ctx.app.log
      const errors = execution.errors.flatMap((error) => {
        const nested = (error.originalError as { errors?: unknown[] } | undefined)?.errors
        const list = Array.isArray(nested) ? nested.map(asGraphqlError) : [error]
        return list.map((e) => formatOne(e, log, () => { requestError = true }))
      })
      const response: ExecutionResult = { data: execution.data ?? null, errors }
      return { statusCode: !execution.data && requestError ? 400 : 200, response }
    }
  })
}, { name: 'graphql', dependencies: ['auth'] })

function asGraphqlError(e: unknown): GraphQLError {
  return e instanceof GraphQLError ? e : new GraphQLError(String((e as Error)?.message ?? e))
}

type Log = { error: (obj: object, msg: string) => void }

/** A resolver's CrmError keeps its message and code; anything unexpected becomes INTERNAL, logged. */
function formatOne(error: GraphQLError, log: Log, isRequestError: () => void): GraphQLError {
  const original = error.originalError
  if (!original || original instanceof GraphQLError) {
    // Parse and validation errors: the query itself is wrong.
    isRequestError()
    return new GraphQLError(error.message, { nodes: error.nodes, positions: error.positions, path: error.path, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } })
  }
  const crm = original instanceof CrmError ? original : toCrmError(original)
  if (crm.status >= 500) log.error({ err: original }, 'graphql resolver failed')
  return new GraphQLError(crm.message, {
    nodes: error.nodes,
    path: error.path,
    extensions: { code: errorCatalog[crm.code].graphql, ...(crm.fieldErrors.length ? { fields: crm.fieldErrors } : {}) }
  })
}
