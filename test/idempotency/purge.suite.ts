import t from 'tap'
import { randomUUID } from 'node:crypto'
import { idempotencyPurgeJob } from '../../src/jobs/idempotency-purge.job.js'
import { buildTestApp, forEachDatabase } from '../helper.js'

const HOUR = 3_600_000

await forEachDatabase(t, async (t, ctx) => {
  t.equal(idempotencyPurgeJob.name, 'idempotency-key-purge')
  t.equal(idempotencyPurgeJob.cron(ctx.app.config), '23 * * * *')
  const post = (name: string, key: string) => ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name }, { 'idempotency-key': key })
  const stored = async (keys: string[]) => (await ctx.sql<{ key: string }>('select key from idempotency_keys where key = any($1) order by key', [keys])).map((r) => r.key)

  await t.test('the purge job deletes records past their TTL, and only those', async (t) => {
    const old = randomUUID()
    const recent = randomUUID()
    const running = randomUUID()
    await post('Idem Purge Old', old)
    await post('Idem Purge Recent', recent)
    await post('Idem Purge Running', running)
    await ctx.sql("update idempotency_keys set expires_at = now() + interval '1 hour' where key = $1", [old])
    // Past its TTL but its request still renews its lock: not yet.
    await ctx.sql("update idempotency_keys set expires_at = now() + interval '1 hour', state = 'in_flight', locked_until = now() + interval '3 hours' where key = $1", [running])
    t.same(await idempotencyPurgeJob.run(ctx.app.services, new Date()), { purged: 0 }, 'nothing is due now')
    const result = await idempotencyPurgeJob.run(ctx.app.services, new Date(Date.now() + 2 * HOUR))
    t.match(result, { purged: 1 })
    t.same(await stored([old, recent, running]), [recent, running].sort())
    await idempotencyPurgeJob.run(ctx.app.services, new Date(Date.now() + 25 * HOUR))
    t.same(await stored([old, recent, running]), [], 'a day on, every one is gone')
  })
})

await t.test('IDEMPOTENCY_TTL_HOURS sets how long a key holds', async (t) => {
  const ctx = await buildTestApp(t, 'pglite', { IDEMPOTENCY_TTL_HOURS: '2' })
  const key = randomUUID()
  await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Idem Short TTL' }, { 'idempotency-key': key })
  const [row] = await ctx.sql<{ created_at: Date; expires_at: Date }>('select created_at, expires_at from idempotency_keys where key = $1', [key])
  t.equal(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime(), 2 * HOUR)
})
