/**
 * CPU per redeemCoupon over REST, in process (app.inject, PostgreSQL), with a CPU profile
 * summary: to judge optimisations of the redemption transaction (docs/performance.md, "Coupons").
 * `npx tsx test/bench/coupons-cpu.ts` (N=500 redemptions by default)
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
  await seed(target, { ...defaultSeed(piiKey), customers: 2000, activityCustomers: 0 })
  let q = 0
  const key = 'crm_bench_key_0123456789abcdef'
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: target.url, PII_KEY: piiKey.toString('base64'), JWT_SECRET: randomBytes(32).toString('hex'), BOOTSTRAP_ADMIN_KEY: key, LOG_LEVEL: 'silent', JOBS_ENABLED: 'false', API_RATE_LIMIT_PER_KEY: '0' }), logger: false, onQuery: () => { q++ } })
  const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: key } })).json().accessToken
  const headers = { authorization: `Bearer ${token}` }
  const customers = (await app.database.pool!.query('select id from customers limit 500')).rows.map((r) => r.id as string)
  const tpl = (await app.inject({ method: 'POST', url: '/api/v1/coupon-templates', headers, payload: { name: '满100减20', kind: 'amount_off', amountOff: 2000, minOrderAmount: 10_000 } })).json()
  const N = Number(process.env.N ?? 500)
  const coupons: { code: string; customerId: string }[] = []
  for (let i = 0; i < N + 50; i++) {
    const customerId = customers[i % customers.length]
    const c = (await app.inject({ method: 'POST', url: '/api/v1/coupons', headers, payload: { templateId: tpl.id, customerId } })).json()
    coupons.push({ code: c.code, customerId })
  }
  await app.database.pool!.query('analyze')
  let n = 0
  const one = async () => {
    const { code, customerId } = coupons[n]
    const r = await app.inject({ method: 'POST', url: '/api/v1/coupons/redemptions', headers, payload: { code, customerId, orderAmount: { amount: 20_000 }, orderExternalId: `SO-${n++}` } })
    if (r.statusCode !== 201) throw new Error(r.body)
  }
  for (let i = 0; i < 50; i++) await one()
  const session = new Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start')
  q = 0
  const start = process.cpuUsage(); const t0 = performance.now()
  for (let i = 0; i < N; i++) await one()
  const used = process.cpuUsage(start)
  console.log(`${((used.user + used.system) / 1000 / N).toFixed(2)} ms CPU, ${((performance.now() - t0) / N).toFixed(2)} ms wall, ${(q / N).toFixed(1)} statements per redemption`)
  const { profile } = await session.post('Profiler.stop')
  writeFileSync('/tmp/coupons.cpuprofile', JSON.stringify(profile))
  console.log(summariseProfiles('/tmp/coupons.cpuprofile', true))
  await app.close()
} finally { await target.drop() }
