import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fp from 'fastify-plugin'
import mercurius, { type IResolvers, type MercuriusContext, type MercuriusLoaders } from 'mercurius'
import { GraphQLError, Kind, type ExecutionResult, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql'
import { CrmError, errorCatalog, graphqlReason, retryAfterSeconds } from '../errors.js'
import { toCrmError } from '../http/problem.js'
import { totalCountResolver } from '../graphql/connection.js'
import { idOnlyRef, type IdRef } from '../graphql/context.js'
import { preloaded, type Preloaded } from '../db/graph-read.js'
import { limitGraphql, type GraphqlLimits } from '../graphql/cost-limit.js'
import { graphqlInputError, isVariableError, variableErrors } from '../i18n/graphql-errors.js'
import { localeOf, translate, translateFieldErrors, type Locale } from '../i18n/translate.js'
import type { Actor } from '../modules/auth/actor.js'
import type { Services } from '../modules/services.js'

declare module 'mercurius' {
  interface MercuriusContext {
    actor: Actor | null
    services: Services
    /** The language of messages (Accept-Language), for userErrors. */
    locale: Locale
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
  limits: GraphqlLimits
  /** "Did you mean …" in validation errors (off in production: it reveals the schema to someone guessing at it). */
  suggestions: boolean
}

/** Mercurius at /graphql (GraphiQL at /graphiql), JIT-compiled, errors mapped to extensions.code. */
export default fp<GraphqlPluginOptions>(async (app, opts) => {
  const schema = loadSchema()
  // Every *Connection type counts lazily: totalCount runs its query only when selected.
  const resolvers: Record<string, unknown> = { ...opts.resolvers }
  for (const [, type] of schema.matchAll(/^type (\w+Connection)\b/gm)) {
    resolvers[type] = { ...(resolvers[type] as object | undefined), ...totalCountResolver }
  }
  // userErrors are built in services, in English: each message is given in the request's language here.
  resolvers.UserError = { ...(resolvers.UserError as object | undefined), message: (e: { message: string }, _args: unknown, ctx: MercuriusContext) => translate(e.message, ctx.locale) }
  for (const [type, fields] of Object.entries(loaderResolvers(opts.loaders))) {
    resolvers[type] = { ...(resolvers[type] as object | undefined), ...fields }
  }
  await app.register(mercurius, {
    schema,
    resolvers: resolvers as IResolvers,
    // GraphiQL is served by src/plugins/graphiql.ts (pinned assets with SRI, off in production).
    graphiql: false,
    jit: 1,
    // Depth, cost, aliases and mutations are checked on every request by limitGraphql.
    context: (request) => ({ actor: request.actor, services: opts.services, locale: localeOf(request.headers['accept-language']) }),
    errorFormatter: (execution, ctx) => {
      // Errors before execution (no token, bad JSON, a query that does not parse) keep
      // their HTTP status; a resolver's error is part of a 200 answer, as GraphQL-over-HTTP says.
      let statusCode = 200
      const log = ctx.reply?.log ?? ctx.app.log
      const request = ctx.reply?.request
      const source = { schema: ctx.app.graphql.schema, query: (request?.method === 'GET' ? request.query as { query?: unknown } : request?.body as { query?: unknown } | undefined)?.query }
      const locale = localeOf(request?.headers['accept-language'])
      let reported = execution.errors
      if (reported.some(isVariableError)) {
        const body = source.query === undefined ? {} : (request?.method === 'GET' ? request.query : request?.body) as { operationName?: unknown; variables?: unknown }
        const variables = typeof body.variables === 'string' ? safeJson(body.variables) : body.variables
        const again = variableErrors(source.schema, source.query, body.operationName, variables)
        if (again.length > 0) reported = [...again, ...reported.filter((e) => !isVariableError(e))]
      }
      const errors = reported.flatMap((error) => {
        const nested = (error.originalError as { errors?: unknown[] } | undefined)?.errors
        const list = Array.isArray(nested) ? nested.map(asGraphqlError) : [error]
        return list.map((e) => formatOne(e, log, (status) => { statusCode = Math.max(statusCode, status) }, locale, source, opts.suggestions))
      })
      const response: ExecutionResult = { data: execution.data ?? null, errors }
      // The database is down and nothing was answered: 503 with Retry-After, as REST says it.
      if (!hasValue(execution.data) && errors.some((e) => e.extensions.reason === graphqlReason.CRM_ERR_DATABASE_UNAVAILABLE)) {
        ctx.reply?.header('retry-after', String(retryAfterSeconds.CRM_ERR_DATABASE_UNAVAILABLE))
        return { statusCode: 503, response }
      }
      return { statusCode: execution.data ? 200 : statusCode, response }
    }
  })
  limitGraphql(app, opts.limits)
}, { name: 'graphql', dependencies: ['auth'] })

type LoaderFn = (queries: { obj: object; params: Record<string, unknown> }[], ctx: MercuriusContext) => unknown[] | Promise<unknown[]>

/**
 * Runs the `loaders` with mercurius' contract (per field, one call per tick with every
 * parent's { obj, params }, deduplicated within the request) but keys each query by its
 * parent object instead of mercurius' stable-stringify of { obj, params }: that stringify
 * was ~10% of a nested page's CPU and opened every lazily decrypted phone and email.
 */
export function loaderResolvers(loaders: MercuriusLoaders): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [type, fields] of Object.entries(loaders)) {
    out[type] = {}
    for (const [field, def] of Object.entries(fields)) {
      const load = (typeof def === 'function' ? def : def.loader) as LoaderFn
      const key = `${type}.${field}`
      const ref = (load as { [idOnlyRef]?: IdRef })[idOnlyRef]
      // A parent read with its relations in one statement (src/db/graph-read.ts) carries them.
      out[type][field] = ref
        ? (obj: Preloaded, params: Record<string, unknown>, ctx: MercuriusContext, info: GraphQLResolveInfo) => {
          const slot = obj[preloaded]
          if (slot && field in slot) return slot[field]
          return selectsOnlyId(info) ? ref(obj as never, ctx) : batchOf(ctx, key, load).add(obj, params)
        }
        : (obj: Preloaded, params: Record<string, unknown>, ctx: MercuriusContext) => {
          const slot = obj[preloaded]
          if (slot && field in slot) return slot[field]
          return batchOf(ctx, key, load).add(obj, params)
        }
    }
  }
  return out
}

function selectsOnlyId(info: GraphQLResolveInfo): boolean {
  return info.fieldNodes.every((node) => node.selectionSet?.selections.every((s) =>
    s.kind === Kind.FIELD && !s.directives?.length && (s.name.value === 'id' || s.name.value === '__typename')))
}

const batchesByRequest = new WeakMap<MercuriusContext, Map<string, Batch>>()
function batchOf(ctx: MercuriusContext, key: string, load: LoaderFn): Batch {
  let batches = batchesByRequest.get(ctx)
  if (!batches) batchesByRequest.set(ctx, (batches = new Map()))
  let batch = batches.get(key)
  if (!batch) batches.set(key, (batch = new Batch(load, ctx)))
  return batch
}

class Batch {
  private queued: { query: { obj: object; params: Record<string, unknown> }; resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = []
  private readonly seen = new WeakMap<object, Map<string, Promise<unknown>>>()
  constructor(private readonly load: LoaderFn, private readonly ctx: MercuriusContext) {}

  add(obj: object, params: Record<string, unknown>): Promise<unknown> {
    const args = Object.keys(params).length ? JSON.stringify(params) : ''
    let byArgs = this.seen.get(obj)
    const known = byArgs?.get(args)
    if (known) return known
    const promise = new Promise((resolve, reject) => { this.queued.push({ query: { obj, params }, resolve, reject }) })
    if (!byArgs) this.seen.set(obj, (byArgs = new Map()))
    byArgs.set(args, promise)
    // Every resolver of this field reached in this tick joins the batch.
    if (this.queued.length === 1) process.nextTick(() => { void this.flush() })
    return promise
  }

  private async flush(): Promise<void> {
    const batch = this.queued
    this.queued = []
    try {
      const results = await this.load(batch.map((b) => b.query), this.ctx)
      batch.forEach((b, i) => b.resolve(results[i]))
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
  }
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return undefined }
}

function asGraphqlError(e: unknown): GraphQLError {
  return e instanceof GraphQLError ? e : new GraphQLError(String((e as Error)?.message ?? e))
}

/** Whether any top-level field of the answer holds a value (part of the operation worked). */
function hasValue(data: ExecutionResult['data']): boolean {
  return !!data && Object.values(data).some((v) => v !== null && v !== undefined)
}

type Log = { error: (obj: object, msg: string) => void }

/** graphql-js' "Did you mean …?" sentences removed (graphql 16 has no switch for them). */
export function withoutSuggestion(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '')
}

/**
 * A resolver's CrmError keeps its message and code; anything unexpected becomes INTERNAL,
 * logged. Messages are in the request's language; an input error of graphql-js's own
 * names the field once and says what is allowed (src/i18n/graphql-errors.ts).
 */
function formatOne(error: GraphQLError, log: Log, requestFailed: (status: number) => void, locale: Locale, source: { schema: GraphQLSchema; query: unknown }, suggestions: boolean): GraphQLError {
  const original = error.originalError
  if (!original || original instanceof GraphQLError) {
    // Parse and validation errors: the query itself is wrong.
    requestFailed(400)
    const said = suggestions ? error.message : withoutSuggestion(error.message)
    const found = graphqlInputError(error.message, error.nodes?.[0], source.schema, source.query)
    const input = found && !suggestions ? { ...found, message: withoutSuggestion(found.message) } : found
    const message = translate(input ? `${input.field}: ${input.message}` : said, locale)
    const fields = input ? { fields: translateFieldErrors([input], locale) } : {}
    return new GraphQLError(message, { nodes: error.nodes, positions: error.positions, path: error.path, extensions: { ...error.extensions, code: 'BAD_USER_INPUT', ...fields } })
  }
  const crm = original instanceof CrmError ? original : toCrmError(original)
  if (crm.status >= 500) log.error({ err: original }, 'graphql resolver failed')
  // No path: it failed in a hook or the body parser, before any resolver ran.
  if (!error.path) requestFailed(crm.status)
  return new GraphQLError(translate(crm.message, locale), {
    nodes: error.nodes,
    path: error.path,
    extensions: { code: errorCatalog[crm.code].graphql, ...(graphqlReason[crm.code] ? { reason: graphqlReason[crm.code] } : {}), ...(crm.fieldErrors.length ? { fields: translateFieldErrors(crm.fieldErrors, locale) } : {}) }
  })
}
