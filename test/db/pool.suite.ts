import { once } from 'node:events'
import t from 'tap'
import pg from 'pg'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { openPool } from '../../src/db/pool.js'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'
import { freshPostgresDatabase } from '../helper.js'

// The pool under sessions the server ends (failover, pg_terminate_backend): docs/operations.md, Database outages.
// PostgreSQL only: PGlite runs in the process and has no sessions to lose.

async function terminate(admin: pg.Client, pid: number): Promise<void> {
  await admin.query('select pg_terminate_backend($1)', [pid])
}

if (!process.env.TEST_DATABASE_URL) {
  t.comment('pool: PostgreSQL only (TEST_DATABASE_URL unset)')
} else await t.test('pool', async (t) => {
  const url = await freshPostgresDatabase(t, 'crm_pool')
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
  await admin.connect()
  t.teardown(() => admin.end())

  await t.test('a checked-out client whose session is terminated neither crashes the process nor leaks its slot', async (t) => {
    const pool = openPool({ url, max: 1, connectTimeoutMs: 5000 })
    t.teardown(() => pool.end())
    const client = await pool.connect()
    const { rows: [{ pid }] } = await client.query<{ pid: number }>('select pg_backend_pid() as pid')
    // Between two statements of a transaction: nothing of pg-pool's listens on the client now.
    const errored = once(client, 'error')
    await terminate(admin, pid)
    const [err] = await errored
    t.ok(isDatabaseUnavailable(err), `the session's end is a database outage (${(err as Error).message})`)
    // Drizzle's transaction() never releases a client whose `begin` failed: the pool must not wait for it.
    t.equal(pool.totalCount, 0, 'the dead client left the pool without being released')
    await t.rejects(client.query('select 1'), /not queryable/, 'the dead client refuses statements')
    t.doesNotThrow(() => client.release(), "the borrower's release after the pool took the client back is harmless")
    const { rows } = await pool.query('select 1 as one')
    t.same(rows, [{ one: 1 }], 'the one slot serves again')
  })

  await t.test('transactions whose sessions end fail, and the pool goes on serving', async (t) => {
    const pool = openPool({ url, max: 1, connectTimeoutMs: 5000 })
    t.teardown(() => pool.end())
    const db = drizzle({ client: pool })
    for (let i = 0; i < 3; i++) {
      const { rows: [{ pid: next }] } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid')
      const failed = db.transaction(async (tx) => {
        await terminate(admin, next)
        await new Promise((r) => setTimeout(r, 50))
        await tx.execute(sql`select 1`)
      })
      await t.rejects(failed, 'a transaction whose session ends fails')
    }
    const result = await db.transaction(async (tx) => tx.execute(sql`select 2 as two`))
    t.same(result.rows, [{ two: 2 }], 'after several lost sessions the single-slot pool still runs transactions')
  })
})
