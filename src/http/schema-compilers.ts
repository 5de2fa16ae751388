import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

/**
 * Fastify's own validator (ajv) and serializer (fast-json-stringify) compilers, with the
 * compiled functions kept per process: a function of the schema's JSON, the shared schemas
 * and the compiler options, nothing else (both compilers ignore method, url and status). A
 * server builds its app once and gains nothing; a test process builds a hundred apps from
 * the same route schemas, and compiling them again cost about 1.7 CPU seconds per app.
 */
type Factory<F> = (externalSchemas: unknown, options: unknown) => (route: { schema: unknown }) => F

function cached<F>(factory: Factory<F>): Factory<F> {
  const byContext = new Map<string, Map<string, F>>()
  return (externalSchemas, options) => {
    const build = factory(externalSchemas, options)
    const context = JSON.stringify([externalSchemas, options])
    let compiled = byContext.get(context)
    if (!compiled) byContext.set(context, (compiled = new Map()))
    const cache = compiled
    return (route) => {
      const key = JSON.stringify(route.schema)
      let fn = cache.get(key)
      if (fn === undefined) cache.set(key, (fn = build(route)))
      return fn
    }
  }
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>

export const compilersFactory: CompilersFactory = {
  buildValidator: cached(AjvCompiler() as unknown as Factory<unknown>) as unknown as CompilersFactory['buildValidator'],
  buildSerializer: cached(SerializerSelector() as unknown as Factory<unknown>) as unknown as CompilersFactory['buildSerializer']
}
