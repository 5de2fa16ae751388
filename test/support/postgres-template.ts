import pg from 'pg'
import { openDatabase } from '../../src/db/client.js'
import { applyMigrations } from '../../src/db/migrate.js'
import { migrationsHash } from './pglite-template.js'

/**
 * A migrated, empty PostgreSQL database on the test server, made once per set of migrations
 * and copied (CREATE DATABASE … TEMPLATE) for every test database: a copy takes a fraction of
 * a second, the migrations take seconds. Test processes run in parallel, so the first to need
 * it builds it under an advisory lock, under a temporary name renamed when complete.
 */
export async function postgresTemplate(admin: pg.Client, base: string): Promise<string> {
  const name = `crm_tpl_${migrationsHash()}`
  const exists = async () => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1
  if (await exists()) return name
  await admin.query('select pg_advisory_lock(hashtext($1))', [name])
  try {
    if (await exists()) return name
    const building = `${name}_build_${process.pid}`
    await admin.query(`drop database if exists ${building}`)
    await admin.query(`create database ${building}`)
    const url = new URL(base)
    url.pathname = `/${building}`
    const database = await openDatabase({ url: url.toString() })
    try { await applyMigrations(database) } finally { await database.close() }
    await admin.query(`alter database ${building} rename to ${name}`)
    // Templates of older migrations are of no use to this checkout. Several checkouts with
    // different migrations sharing one server (worktrees) set TEST_KEEP_TEMPLATES to keep theirs.
    if (process.env.TEST_KEEP_TEMPLATES) return name
    const stale = await admin.query<{ datname: string }>("select datname from pg_database where datname like 'crm\\_tpl\\_%' and datname <> $1 and datname not like '%\\_build\\_%'", [name])
    for (const row of stale.rows) await admin.query(`drop database if exists ${row.datname}`).catch(() => undefined)
    return name
  } finally {
    await admin.query('select pg_advisory_unlock(hashtext($1))', [name])
  }
}

/** CREATE DATABASE from the template, retried while another copy holds the template for a moment. */
export async function createFromTemplate(admin: pg.Client, name: string, template: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${template}`)
      return
    } catch (err) {
      // 55006: "source database is being accessed by other users".
      if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100))
    }
  }
}
