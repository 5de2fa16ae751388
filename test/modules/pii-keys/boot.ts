import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { buildApp } from '../../../src/app.js'
import { loadConfig } from '../../../src/config.js'
import { ADMIN_KEY, freshPostgresDatabase, TestApp, type DatabaseKind } from '../../helper.js'
import { pgliteTemplate } from '../../support/pglite-template.js'

export const newKey = () => randomBytes(32).toString('base64')

/**
 * One database kept across restarts with other keys: PostgreSQL by its URL, PGlite by a dump
 * of its data directory taken before the app closes.
 */
export class Restartable {
  private url: string | undefined
  private dump: Blob | undefined
  current: TestApp | undefined

  constructor(private readonly t: Test, readonly kind: DatabaseKind) {}

  async start(keys: { PII_KEY: string; PII_KEYS_PREVIOUS?: string }, env: Record<string, string> = {}): Promise<TestApp> {
    await this.stop()
    if (this.kind === 'postgres') this.url ??= await freshPostgresDatabase(this.t)
    const config = loadConfig({
      DATA_DIR: 'memory://', ...(this.url ? { DATABASE_URL: this.url, DATABASE_POOL_SIZE: '4' } : {}),
      BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789', LOG_LEVEL: 'silent',
      JOBS_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', MESSAGE_WORKER_ENABLED: 'false', JOURNEY_WORKER_ENABLED: 'false',
      ...keys, ...env
    })
    const app = await buildApp({ config, logger: false, ...(this.kind === 'pglite' ? { pgliteTemplate: this.dump ?? await pgliteTemplate() } : {}) })
    const ctx = new TestApp(app, this.kind)
    ctx.adminToken = await ctx.tokenFor(ADMIN_KEY)
    this.current = ctx
    return ctx
  }

  async stop(): Promise<void> {
    const ctx = this.current
    if (!ctx) return
    if (this.kind === 'pglite') this.dump = await ctx.app.database.pglite!.dumpDataDir('none')
    await ctx.app.close()
    this.current = undefined
  }
}
