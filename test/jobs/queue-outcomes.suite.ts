import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import pg from 'pg'
import { buildTestApp, databaseKinds, type TestApp } from '../helper.js'

// pg-boss 10 records a run's outcome (complete, fail) without awaiting it: when the database
// went away just as a run ended, that write's rejection had no handler and close-with-grace
// shut the process down. Here the database "goes away" the moment the job's work is done.

const JOB = 'idempotency-key-purge'
const FAR = '0 3 1 1 *'

/** Makes every statement fail while `down()` holds, on the path pg-boss uses for its own SQL. */
function outage(ctx: TestApp, down: () => boolean): () => void {
  const fail = () => Promise.reject(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' }))
  if (ctx.kind === 'pglite') {
    const lite = ctx.app.database.pglite!
    const { query, exec } = lite
    lite.query = ((...args: Parameters<typeof query>) => down() ? fail() : query.apply(lite, args)) as typeof query
    lite.exec = ((...args: Parameters<typeof exec>) => down() ? fail() : exec.apply(lite, args)) as typeof exec
    return () => { lite.query = query; lite.exec = exec }
  }
  // pg-boss keeps its own pg pool (the same pg module): its statements all go through Pool#query.
  const { query } = pg.Pool.prototype
  pg.Pool.prototype.query = function (this: pg.Pool, ...args: unknown[]) {
    return down() ? fail() : (query as (...a: unknown[]) => unknown).apply(this, args)
  } as typeof query
  return () => { pg.Pool.prototype.query = query }
}

async function until(check: () => Promise<boolean> | boolean, limitMs = 30_000): Promise<boolean> {
  for (const end = Date.now() + limitMs; Date.now() < end; await sleep(100)) if (await check()) return true
  return false
}

for (const kind of databaseKinds) await t.test(`job outcomes on ${kind}`, async (t) => {
  const ctx = await buildTestApp(t, kind, {
    JOBS_ENABLED: 'true', FOLLOW_UP_SCAN_CRON: FAR, CONSENT_EXPIRY_CRON: FAR, REWARD_APPROVAL_CRON: FAR,
    RFM_RECOMPUTE_CRON: FAR, IDEMPOTENCY_PURGE_CRON: FAR, WEBHOOK_PRUNE_CRON: FAR
  })
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => { unhandled.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  t.teardown(() => { process.off('unhandledRejection', onUnhandled) })

  let down = false
  let runs = 0
  const service = ctx.app.services.idempotency
  const purge = service.purgeExpired.bind(service)
  service.purgeExpired = async (now: Date) => {
    const result = await purge(now)
    runs++
    if (runs === 1) down = true
    return result
  }
  const restore = outage(ctx, () => down)
  t.teardown(restore)
  const logged: { msg: string; queue?: unknown; outcome?: unknown }[] = []
  const log = ctx.app.log as unknown as { error: (obj: object, msg: string) => void }
  const error = log.error
  log.error = (obj: object, msg: string) => { logged.push({ msg, ...obj }) }
  t.teardown(() => { log.error = error })

  await t.test('a run whose outcome cannot be recorded does not end the process, and the queue works on', async (t) => {
    await ctx.app.jobs!.send(JOB)
    t.ok(await until(() => runs === 1), 'the job ran')
    // The worker's unawaited outcome write meets the outage; the workers' polls fail meanwhile.
    t.ok(await until(() => logged.some((l) => /could not fetch work/.test(l.msg))), 'a failed poll for work is logged')
    down = false
    t.same(unhandled, [], 'no unhandled rejection')
    t.match(logged.find((l) => l.outcome), { queue: JOB, outcome: 'complete', err: { code: '57P01' } }, 'the lost outcome is logged with its error')
    const [lost] = await ctx.sql<{ state: string }>('select state from pgboss.job where name = $1 order by created_on limit 1', [JOB])
    t.equal(lost.state, 'active', 'the lost outcome leaves the run active: pg-boss retries it when it expires')
    await ctx.sql("update pgboss.job set state = 'completed' where name = $1", [JOB])
    await ctx.app.jobs!.send(JOB)
    t.ok(await until(() => runs === 2), 'the next run is taken')
    t.ok(await until(async () => (await ctx.sql('select 1 from pgboss.job where name = $1 and state = $2', [JOB, 'completed'])).length === 2), 'and its outcome recorded')
  })
})
