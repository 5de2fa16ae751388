/**
 * CPU per request, in process (app.inject, no sockets on the HTTP side): the app vs the
 * plain baseline for both workloads. Far less noisy than req/s on a shared machine, so
 * use it to judge an optimisation; `--profile` adds where the app's time goes.
 *
 * `npx tsx test/bench/cpu.ts [--customers 2000] [--requests 1000] [--profile]` (PostgreSQL,
 * BENCH_DATABASE_URL).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Session } from 'node:inspector/promises'
import pg from 'pg'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { PiiCipher } from '../../src/lib/pii.js'
import { buildPlainServer, pgQuery } from './plain-server.js'
import { summariseProfiles } from './profile.js'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import { pointQuery } from './workloads.js'

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => { const i = args.indexOf(`--${name}`); return i >= 0 ? Number(args[i + 1]) : fallback }
const requests = flag('requests', 1000)
const profile = args.includes('--profile')
const pageQuery = '{ customers(first: 50) { edges { node { id name owner { id name } referrer { id name } activities(first: 5) { id kind occurredAt } } } } }'

const piiKey = randomBytes(32)
const target = await createBenchDatabase('postgres')
const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
try {
  const customers = flag('customers', 2000)
  const seeded = await seed(target, { ...defaultSeed(piiKey), customers, activityCustomers: customers })
  const app = await buildApp({
    config: loadConfig({ DATABASE_URL: target.url, PII_KEY: piiKey.toString('base64'), JWT_SECRET: randomBytes(32).toString('hex'), BOOTSTRAP_ADMIN_KEY: bootstrapKey, LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_KEY: '0' }),
    logger: false,
    onQuery: (q) => { if (process.env.BENCH_SHOW_QUERIES) console.log('SQL', q.slice(0, 120)) }
  })
  const pool = new pg.Pool({ connectionString: target.url, max: 10 })
  const plain = buildPlainServer(pgQuery(pool), new PiiCipher(piiKey), { referrer: true, activities: 5 })
  const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: bootstrapKey } })).json().accessToken as string
  const auth = { authorization: `Bearer ${token}` }
  const ids = seeded.sampleIds
  const cases: [string, FastifyInstance, (i: number) => InjectOptions, number][] = [
    ['point  GraphQL', app, (i) => ({ method: 'POST', url: '/graphql', headers: auth, payload: { query: pointQuery, variables: { id: ids[i % ids.length] } } }), requests],
    ['point  plain', plain, (i) => ({ method: 'GET', url: `/customer/${ids[i % ids.length]}` }), requests],
    ['page   GraphQL', app, () => ({ method: 'POST', url: '/graphql', headers: auth, payload: { query: pageQuery } }), Math.ceil(requests / 5)],
    ['page   plain', plain, () => ({ method: 'GET', url: '/page' }), Math.ceil(requests / 5)]
  ]
  const dir = mkdtempSync(join(tmpdir(), 'crm-bench-cpu-'))
  const summaries: string[] = []
  const only = process.env.BENCH_ONLY
  for (const [name, server, request, n] of cases.filter(([name]) => !only || name.replace(/\s+/g, ' ') === only)) {
    for (let i = 0; i < 100; i++) await server.inject(request(i))
    const session = new Session()
    if (profile) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start') }
    const start = process.cpuUsage()
    for (let i = 0; i < n; i++) await server.inject(request(i))
    const used = process.cpuUsage(start)
    console.log(`${name.padEnd(16)} ${((used.user + used.system) / 1000 / n).toFixed(3)} ms CPU per request (${n} requests)`)
    if (profile) {
      const { profile: cpuProfile } = await session.post('Profiler.stop')
      const file = join(dir, `${name.replace(/\s+/g, '-')}.cpuprofile`)
      writeFileSync(file, JSON.stringify(cpuProfile))
      session.disconnect()
      summaries.push(`${name}: ${summariseProfiles(file, true)}`)
    }
  }
  if (profile) console.log(`\n${summaries.join('\n\n')}\n(profiles in ${dir})`)
  await app.close()
  await plain.close()
  await pool.end()
} finally {
  await target.drop()
}
