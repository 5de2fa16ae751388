import { randomBytes } from 'node:crypto'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { createBenchDatabase } from '../seed.js'
import { seedPoints, withSession } from './seed.js'
const target = await createBenchDatabase('postgres')
try {
  await withSession(target, (exec) => seedPoints(exec, { customers: 1000, scale: 1_000_000, now: new Date() }))
  const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
  let log: string[] | null = null
  const app = await buildApp({ config: loadConfig({ DATABASE_URL: target.url!, DATABASE_POOL_SIZE: '4', PII_KEY: randomBytes(32).toString('base64'), JWT_SECRET: randomBytes(24).toString('hex'), BOOTSTRAP_ADMIN_KEY: bootstrapKey, JOBS_ENABLED: 'false', LOG_LEVEL: 'silent' }), logger: false, onQuery: (q) => log?.push(q.replace(/\s+/g, ' ').slice(0, 160)) })
  const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: bootstrapKey } })).json().accessToken
  const ids = ((await app.database.raw('select customer_id::text as id from points_accounts limit 5', [])) as { id: string }[]).map((r) => r.id)
  for (let i = 0; i < 3; i++) {
    log = []
    const r = await app.inject({ method: 'POST', url: '/api/v1/points/redemptions', headers: { authorization: `Bearer ${token}`, 'idempotency-key': `k${i}` }, payload: { customerId: ids[i], amount: 10, externalId: `x${i}`, orderExternalId: `ERP-${i}` } })
    console.log(r.statusCode, log.length, 'statements')
    if (i === 2) for (const q of log) console.log('  ', q)
  }
  await app.close()
} finally { await target.drop() }
