import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { buildTestApp } from '../helper.js'

await t.test('OpenAPI document and playgrounds', async (t) => {
  // The document does not depend on the database: PGlite is enough.
  const ctx = await buildTestApp(t, 'pglite')

  t.test('GET /openapi.json is a valid OpenAPI 3 document, without a token', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/json/)
    const doc = res.json()
    t.match(doc.openapi, /^3\./)
    await t.resolves(SwaggerParser.validate(structuredClone(doc)), 'validates with swagger-parser')
  })

  t.test('documents the token exchange, bearer security and problem responses', async (t) => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    t.match(doc.components.securitySchemes, { bearer: { type: 'http', scheme: 'bearer' } })
    t.ok(doc.components.schemas.Problem, 'Problem schema')
    const token = doc.paths['/api/v1/auth/token']?.post
    t.ok(token, 'POST /api/v1/auth/token is documented')
    t.same(token.security, [], 'the token exchange needs no token')
    t.ok(doc.paths['/api/v1/customers']?.get, 'customers are documented')
    t.ok(doc.paths['/api/v1/customers/{id}']?.patch, 'path parameters use OpenAPI braces')
    for (const hidden of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/graphql']) t.notOk(doc.paths[hidden], `${hidden} is not in the REST document`)
  })

  t.test('every operation has a tag and only documented response codes', async (t) => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    for (const [path, item] of Object.entries<Record<string, { tags?: string[]; responses?: Record<string, unknown> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        t.ok(op.tags?.length, `${method.toUpperCase()} ${path} has a tag`)
        t.ok(op.responses && Object.keys(op.responses).some((c) => /^2/.test(c)), `${method.toUpperCase()} ${path} documents its success`)
      }
    }
  })

  t.test('/docs serves the rendered HTML page without a token', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs' })
    const page = res.statusCode === 302 ? await ctx.app.inject({ method: 'GET', url: res.headers.location as string }) : res
    t.equal(page.statusCode, 200)
    t.match(page.headers['content-type'], /^text\/html/)
    t.match(page.body, /<html/i)
    const json = await ctx.app.inject({ method: 'GET', url: '/docs/json' })
    t.equal(json.statusCode, 200)
  })

  t.test('/graphiql serves the GraphQL playground without a token', async (t) => {
    const res = await ctx.app.inject({ method: 'GET', url: '/graphiql' })
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^text\/html/)
  })
})
