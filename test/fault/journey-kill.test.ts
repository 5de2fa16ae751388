/**
 * Fault test: journey steps run exactly once when servers die. Two real servers run as child
 * processes on one fresh PostgreSQL database, both with journeys workers; an active journey
 * (event trigger: customer.created) runs three steps per enrollment: tag, event action, tag.
 * FAULT_CUSTOMERS customers are created while one server is killed with SIGKILL
 * FAULT_KILLS times at random points and restarted. Afterwards every customer is enrolled
 * once and every enrollment ran each step exactly once (one step run per step, one
 * automation.action event per enrollment), whatever died mid-step.
 * Needs TEST_DATABASE_URL (PostgreSQL). Knobs: FAULT_CUSTOMERS (800), FAULT_KILLS (3), FAULT_SEED.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { freshPostgresDatabase } from '../helper.js'
import { freePort } from '../support/free-port.js'

const base = process.env.TEST_DATABASE_URL
const CUSTOMERS = Number(process.env.FAULT_CUSTOMERS ?? 800)
const KILLS = Number(process.env.FAULT_KILLS ?? 3)
let seed = Number(process.env.FAULT_SEED ?? Date.now() % 100000) >>> 0
function random(): number {
  seed = (seed + 0x6d2b79f5) >>> 0
  let x = Math.imul(seed ^ (seed >>> 15), seed | 1)
  x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}

if (!base) {
  t.comment('skipped: the fault test needs TEST_DATABASE_URL (PostgreSQL)')
  t.pass('skipped without PostgreSQL')
} else {
  await t.test(`journey steps exactly once after ${KILLS} SIGKILLs`, { timeout: 600_000 }, async (t) => {
    const url = await freshPostgresDatabase(t, 'crm_fault')
    const db = new pg.Pool({ connectionString: url, max: 2 })
    db.on('error', () => {})
    t.teardown(() => db.end())
    const apiKey = `crm_fault_bootstrap_${randomBytes(12).toString('hex')}`
    const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), PII_KEY: randomBytes(32).toString('base64') }
    const servers: { port: number; child: ChildProcess | null }[] = [{ port: await freePort(), child: null }, { port: await freePort(), child: null }]
    const envOf = (port: number) => ({
      ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_ADMIN_KEY: apiKey, ...secrets, LOG_LEVEL: 'error',
      JOBS_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', JOURNEY_WORKER_ENABLED: 'true', JOURNEY_POLL_MS: '20', JOURNEY_BATCH: '50', DATABASE_POOL_SIZE: '6'
    })
    async function start(s: { port: number; child: ChildProcess | null }): Promise<void> {
      s.child = spawn(process.execPath, ['--import=tsx', 'src/server.ts'], { env: envOf(s.port), stdio: ['ignore', 'ignore', 'inherit'] })
      const deadline = Date.now() + 180_000
      while (Date.now() < deadline) {
        try { if ((await fetch(`http://127.0.0.1:${s.port}/readyz`)).ok) return } catch { /* not yet */ }
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error('server did not become ready')
    }
    async function kill(s: { child: ChildProcess | null }): Promise<void> {
      const c = s.child!
      const exited = new Promise((r) => c.once('exit', r))
      c.kill('SIGKILL')
      await exited
    }
    t.teardown(async () => { for (const s of servers) if (s.child && s.child.exitCode === null) await kill(s) })
    for (const s of servers) await start(s)
    const origin = `http://127.0.0.1:${servers[1].port}`
    const token = (await (await fetch(`${origin}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiKey }) })).json() as { accessToken: string }).accessToken
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const created = await (await fetch(`${origin}/api/v1/journeys`, { method: 'POST', headers: auth, body: JSON.stringify({
      name: 'Welcome', trigger: { type: 'event', eventType: 'customer.created' },
      steps: [{ key: 'one', type: 'tag', add: ['welcome'] }, { key: 'hook', type: 'event', name: 'welcomed' }, { key: 'two', type: 'tag', add: ['welcomed'] }]
    }) })).json() as { id: string }
    t.equal((await fetch(`${origin}/api/v1/journeys/${created.id}/activation`, { method: 'POST', headers: auth, body: '{}' })).status, 200)

    // Customers are written straight to the database in batches (the servers' workers do the journey work), while server 0 dies and restarts.
    const killAt = Array.from({ length: KILLS }, () => Math.floor(CUSTOMERS * (0.1 + 0.8 * random()))).sort((a, b) => a - b)
    t.comment(`seed ${process.env.FAULT_SEED ?? '(time)'}; kill points: ${killAt.join(', ')}`)
    for (let made = 0; made < CUSTOMERS; made += 50) {
      await db.query(`with c as (insert into customers (id, name) select crm_uuidv7(), 'Fault ' || g from generate_series(1, 50) g returning id)
        insert into outbox_events (id, type, entity_type, entity_id, data) select crm_uuidv7(), 'customer.created', 'customer', c.id, jsonb_build_object('id', c.id) from c`)
      if (killAt.length && made + 50 >= killAt[0]) {
        killAt.shift()
        await new Promise((r) => setTimeout(r, 30 + random() * 200))
        await kill(servers[0])
        await start(servers[0])
      }
    }
    const deadline = Date.now() + 180_000
    for (;;) {
      const [{ left }] = (await db.query(`select (select count(*) from outbox_events where journeys_seen_at is null)
        + (select count(*) from journey_enrollments where status = 'active') as left`)).rows
      if (Number(left) === 0 || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 250))
    }
    const [figures] = (await db.query(`select
      (select count(*)::int from customers) as customers,
      (select count(*)::int from journey_enrollments) as enrollments,
      (select count(*)::int from journey_enrollments where status = 'completed') as completed,
      (select count(*)::int from journey_step_runs) as runs,
      (select count(*)::int from (select enrollment_id, step_key from journey_step_runs group by 1, 2 having count(*) > 1) d) as doubled,
      (select count(*)::int from outbox_events where type = 'automation.action') as actions,
      (select count(*)::int from (select data->>'enrollmentId' from outbox_events where type = 'automation.action' group by 1 having count(*) > 1) d) as doubled_actions,
      (select count(*)::int from customers where tags @> array['welcome', 'welcomed']) as tagged`)).rows
    const line = `journey fault test: ${JSON.stringify(figures)}`
    t.comment(line)
    console.log(`# ${line}`)
    t.equal(figures.enrollments, CUSTOMERS, 'every customer enrolled once')
    t.equal(figures.completed, CUSTOMERS, 'every enrollment completed')
    t.equal(figures.runs, 3 * CUSTOMERS, 'three step runs per enrollment')
    t.equal(figures.doubled, 0, 'no step ran twice')
    t.equal(figures.actions, CUSTOMERS, 'one automation.action per enrollment')
    t.equal(figures.doubled_actions, 0, 'no action event twice')
    t.equal(figures.tagged, CUSTOMERS, 'every customer tagged by both tag steps')
  })
}
