import fp from 'fastify-plugin'
import { assetsSource, graphiqlHtml, graphiqlMainJs } from '../http/graphiql-page.js'

export type GraphiqlOptions = { assetsUrl: string }

/**
 * GraphiQL at /graphiql (registered only when enabled: off in production by default),
 * its page under a CSP that allows scripts from this server and the pinned asset origin only.
 */
export default fp<GraphiqlOptions>(async (app, opts) => {
  const page = graphiqlHtml(opts.assetsUrl)
  const assets = assetsSource(opts.assetsUrl)
  const helmet = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", ...assets],
        // GraphiQL's components inject their styles at run time.
        styleSrc: ["'self'", "'unsafe-inline'", ...assets],
        fontSrc: ["'self'", 'data:', ...assets],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"]
      }
    }
  }
  const schema = { hide: true }
  app.get('/graphiql', { schema, helmet }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page))
  app.get('/graphiql/main.js', { schema, helmet }, async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(graphiqlMainJs))
}, { name: 'graphiql', dependencies: ['security-headers'] })
