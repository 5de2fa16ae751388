import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { ProblemSchema } from '../http/rest.js'
import { documentsIdempotencyKey, idempotencyKeyHeader } from '../http/idempotency-intent.js'

/** OpenAPI 3 from the routes' TypeBox schemas: JSON at /openapi.json, rendered at /docs. */
export default fp(async (app) => {
  app.addSchema(ProblemSchema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Referral CRM API',
        version: '1.0.0',
        description: 'REST face of the referral CRM. Errors are application/problem+json with a stable `code`. Writes accept If-Match with the record version, and Idempotency-Key to make a retry safe.'
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }
      },
      security: [{ bearer: [] }]
    },
    // GraphQL has its own contract (schema/*.graphql, /graphiql): keep it out of the REST document.
    transform: ({ schema, url, route }) => {
      if (/^\/graph(ql|iql)\b/.test(url)) return { schema: { ...schema, hide: true }, url }
      // Streamed uploads (a `consumes` without JSON, the imports) ignore the key: not shown there.
      const streamed = Array.isArray(schema?.consumes) && !schema.consumes.includes('application/json')
      if (streamed || !documentsIdempotencyKey(url, route.method, route.config?.public === true) || schema?.headers) return { schema, url }
      return { schema: { ...schema, headers: idempotencyKeyHeader }, url }
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (json.$id as string) ?? `def-${i}` }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true })
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger())
}, { name: 'openapi' })
