import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { ADMIN_KEY, freshPostgresDatabase, TestApp, type DatabaseKind } from '../helper.js'
import { pgliteTemplate } from './pglite-template.js'

/** A log line as the app wrote it (pino JSON). */
export type LogLine = { level: number; msg: string; [key: string]: unknown }

/**
 * Like buildTestApp, but with the app's real logger (LOG_LEVEL info) writing into `lines`
 * (as test/platform/logging.suite.ts does), for suites that assert what is logged.
 */
export async function buildLoggedApp(t: Test, kind: DatabaseKind, env: Record<string, string> = {}): Promise<{ ctx: TestApp; lines: string[]; logged: () => LogLine[] }> {
  const lines: string[] = []
  const databaseUrl = kind === 'postgres' ? await freshPostgresDatabase(t) : undefined
  const config = loadConfig({
    DATA_DIR: 'memory://',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '8' } : {}),
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    JWT_SECRET: 'test-jwt-secret-that-is-long-enough-0123456789',
    PII_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'info',
    JOBS_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    ...env
  })
  const app = await buildApp({
    config, logger: { stream: { write: (line: string) => { lines.push(line) } } },
    ...(kind === 'pglite' ? { pgliteTemplate: await pgliteTemplate() } : {})
  })
  const ctx = new TestApp(app, kind)
  t.teardown(() => app.close())
  ctx.adminToken = await ctx.tokenFor(ADMIN_KEY)
  return { ctx, lines, logged: () => lines.map((l) => JSON.parse(l) as LogLine) }
}

/** Polls until `check` holds (workers run on their own schedule); false after `limitMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, limitMs = 60_000): Promise<boolean> {
  const until = Date.now() + limitMs
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}

/** One sample's value from /metrics, by its full series name (`name{label="v",...}` in registration order); undefined if absent. */
export async function metric(ctx: TestApp, series: string): Promise<number | undefined> {
  const text = (await ctx.app.inject({ method: 'GET', url: '/metrics' })).body
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}
