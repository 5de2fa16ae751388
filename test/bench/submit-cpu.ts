/**
 * CPU per accepted submitReferral, in process (app.inject, PostgreSQL), with a CPU profile
 * summary: to judge optimisations of the submission transaction.
 * `npx tsx test/bench/submit-cpu.ts`
 */
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { createBenchDatabase, defaultSeed, seed } from './seed.js'
import { summariseProfiles } from './profile.js'
const piiKey = randomBytes(32)
const target = await createBenchDatabase('postgres')
try {
  await seed(target, { ...defaultSeed(piiKey), customers: 5000, activityCustomers: 0 })
  let q = 0
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: target.url, PII_KEY: piiKey.toString('base64'), JWT_SECRET: randomBytes(32).toString('hex'), BOOTSTRAP_ADMIN_KEY: 'crm_bench_key_0123456789abcdef', LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', REFERRAL_CONSENT_REQUIRED: 'false', REFERRAL_VELOCITY_PER_HOUR: '1000000', REFERRAL_VELOCITY_PER_DAY: '1000000', API_RATE_LIMIT_PER_KEY: '0' }), logger: false, onQuery: () => { q++ } })
  const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: 'crm_bench_key_0123456789abcdef' } })).json().accessToken
  const refs = (await app.database.pool!.query('select id from referrers limit 500')).rows.map((r) => r.id)
  let n = 100000000
  const one = async () => { const i = n++; const r = await app.inject({ method: 'POST', url: '/graphql', headers: { authorization: `Bearer ${token}` }, payload: { query: 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status } userErrors { code message } } }', variables: { i: { referrerId: refs[i % refs.length], name: 'B', phone: `17${i}` } } } }); if (r.json().data?.submitReferral?.referral?.status !== 'submitted') throw new Error(r.body) }
  for (let i = 0; i < 50; i++) await one()
  const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start')
  q = 0
  const N = Number(process.env.N ?? 500)
  const start = process.cpuUsage(); const t0 = performance.now()
  for (let i = 0; i < N; i++) await one()
  const used = process.cpuUsage(start)
  console.log(`${((used.user + used.system) / 1000 / N).toFixed(2)} ms CPU, ${((performance.now() - t0) / N).toFixed(2)} ms wall, ${(q / N).toFixed(1)} statements per submission`)
  const { profile } = await session.post('Profiler.stop')
  writeFileSync('/tmp/submit.cpuprofile', JSON.stringify(profile))
  console.log(summariseProfiles('/tmp/submit.cpuprofile', true))
  await app.close()
} finally { await target.drop() }
