import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'

export type SecurityHeadersOptions = { hstsMaxAgeSeconds: number }

/**
 * Security headers on every answer (docs/security.md, "HTTP hardening"), by @fastify/helmet:
 * nosniff, Referrer-Policy no-referrer, frame and cross-origin isolation headers, and a CSP
 * that lets an API answer load nothing. The pages that load things set their own: Swagger
 * UI at /docs (@fastify/swagger-ui's staticCSP) and GraphiQL (src/plugins/graphiql.ts).
 * Strict-Transport-Security only on answers to HTTPS requests: request.protocol, which
 * reads X-Forwarded-Proto when TRUST_PROXY is on.
 */
export default fp<SecurityHeadersOptions>(async (app, opts) => {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] }
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false
  })
  const hsts = `max-age=${opts.hstsMaxAgeSeconds}; includeSubDomains`
  if (opts.hstsMaxAgeSeconds > 0) {
    app.addHook('onRequest', (request, reply, done) => {
      if (request.protocol === 'https') reply.header('strict-transport-security', hsts)
      done()
    })
  }
}, { name: 'security-headers' })
