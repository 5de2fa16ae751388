/**
 * Bulk import (`npm run bench -- --only import --db postgres --customers 1000000`): one
 * generated customers CSV (externalId, name, phone, email, gender, company, industry,
 * region, sourceChannel, tags), loaded on the same PostgreSQL in the same run by
 *   psql \copy   into a bare table of matching text columns (no keys, no indexes): the baseline
 *   our import  POST /api/v1/import/customers, the file streamed over HTTP to the app in this
 *               process: parsed, validated, contact fields normalised and sealed, staged by COPY,
 *               upserted into customers with its indexes, an audit entry and an event per row
 *   re-import   the same file again: every row matches and nothing changes (read, validate,
 *               seal, stage, compare; no writes), which shows what the writing itself costs
 *   floor       the imported rows copied by one INSERT … SELECT into an empty table like
 *               customers (its indexes): no import can be faster than its table takes rows
 * The ratio is psql's time ÷ ours (goal: at least 0.5). Peak RSS of this process is sampled.
 * Standalone: `npx tsx test/bench/import.ts [--customers N] [--chunk N] [--no-docs]`.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { root } from './children.js'
import { writeBlock } from './report.js'
import { createBenchDatabase } from './seed.js'

export type ImportBenchOptions = { customers: number; chunk: number; log: (line: string) => void }
export type ImportBenchResult = ImportBenchOptions & {
  fileMb: number
  psql: number[]
  ours: number
  reimport: number
  /** One INSERT … SELECT of the same rows into an empty copy of customers: what the table's indexes alone cost. */
  floor: number
  report: Record<string, unknown>
  peakRssMb: number
}

export const importGoal = 0.5
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周']
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋']
const INDUSTRIES = ['manufacturing', 'retail', 'finance', 'education', 'software']
const REGIONS = ['华东', '华南', '华北', '西南', '华中']
const MOBILE = ['138', '139', '150', '186', '177']

/** Writes the CSV, streamed (constant memory whatever the size). */
async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file)
  const write = (text: string) => out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()))
  await write('externalId,name,phone,email,gender,company,industry,region,sourceChannel,tags\n')
  let buffer = ''
  for (let i = 1; i <= n; i++) {
    const name = `${SURNAMES[i % 10]}${GIVEN[(i * 7) % 10]}${GIVEN[(i * 3) % 10]}`
    buffer += `ERP-${i},${name},${MOBILE[i % 5]}${String(i).padStart(8, '0')},user${i}@example.com,${i % 3 === 0 ? 'female' : 'male'},` +
      `"${REGIONS[i % 5]}公司 ${i % 5000}",${INDUSTRIES[i % 5]},${REGIONS[(i * 3) % 5]},import,${i % 4 === 0 ? 'vip;new' : 'new'}\n`
    if (buffer.length >= 65_536) { await write(buffer); buffer = '' }
  }
  await write(buffer)
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => err ? reject(err) : resolve()))
}

function psql(url: string, ...commands: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('psql', [url, '-v', 'ON_ERROR_STOP=1', '-q', ...commands.flatMap((c) => ['-c', c])], { stdio: ['ignore', 'ignore', 'inherit'] })
    child.on('error', reject)
    child.on('exit', (code) => code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`psql exited with ${code}`)))
  })
}

/** Streams the file to the import route; the report and the seconds it took. */
function postFile(port: number, token: string, file: string): Promise<{ seconds: number; report: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const req = request({
      host: '127.0.0.1', port, method: 'POST', path: '/api/v1/import/customers',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv; charset=utf-8', 'content-length': statSync(file).size }
    }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => { body += c })
      res.on('end', () => res.statusCode === 200
        ? resolve({ seconds: (performance.now() - started) / 1000, report: JSON.parse(body) })
        : reject(new Error(`import answered ${res.statusCode}: ${body.slice(0, 500)}`)))
    })
    req.on('error', reject)
    createReadStream(file).pipe(req)
  })
}

export async function benchImport(opts: ImportBenchOptions): Promise<ImportBenchResult> {
  const { log } = opts
  let peak = 0
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 50)
  const file = join(tmpdir(), `crm-bench-import-${Date.now()}.csv`)
  const target = await createBenchDatabase('postgres')
  try {
    log(`\n== import: writing ${opts.customers.toLocaleString('en')} customers to ${file}`)
    await writeCsv(file, opts.customers)
    const fileMb = statSync(file).size / 1e6
    log(`  ${fileMb.toFixed(0)} MB`)
    const config = loadConfig({
      DATABASE_URL: target.url, DATABASE_POOL_SIZE: '4', DATA_DIR: join(tmpdir(), 'crm-bench-unused'),
      PII_KEY: randomBytes(32).toString('base64'), JWT_SECRET: randomBytes(24).toString('hex'), BOOTSTRAP_ADMIN_KEY: `crm_bench_${randomBytes(16).toString('hex')}`,
      JOBS_ENABLED: 'false', WEBHOOK_WORKER_ENABLED: 'false', LOG_LEVEL: 'silent', IMPORT_CHUNK_ROWS: String(opts.chunk)
    })
    const app = await buildApp({ config, logger: false })
    try {
      await app.listen({ port: 0, host: '127.0.0.1' })
      const port = (app.server.address() as { port: number }).port
      const token = (await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { apiKey: config.BOOTSTRAP_ADMIN_KEY } })).json().accessToken as string
      const bare = 'create table import_bare (external_id text, name text, phone text, email text, gender text, company text, industry text, region text, source_channel text, tags text)'
      const copy = `\\copy import_bare from '${file}' with (format csv, header true)`
      const psqlTimes: number[] = []
      await psql(target.url!, bare)
      psqlTimes.push(await psql(target.url!, copy))
      log(`  psql \\copy into a bare table: ${psqlTimes[0].toFixed(2)} s`)
      await psql(target.url!, 'checkpoint')
      const ours = await postFile(port, token, file)
      log(`  our import: ${ours.seconds.toFixed(2)} s ${JSON.stringify({ ...ours.report, errors: (ours.report.errors as unknown[]).length })}`)
      await psql(target.url!, 'truncate import_bare', 'checkpoint')
      psqlTimes.push(await psql(target.url!, copy))
      log(`  psql \\copy again: ${psqlTimes[1].toFixed(2)} s`)
      await psql(target.url!, 'vacuum analyze customers', 'checkpoint')
      const again = await postFile(port, token, file)
      log(`  re-import of the same file (all unchanged): ${again.seconds.toFixed(2)} s ${JSON.stringify({ ...again.report, errors: (again.report.errors as unknown[]).length })}`)
      // The floor this table sets: the imported rows copied by one statement into an empty twin with the same indexes.
      await psql(target.url!, 'create table customers_floor (like customers including all)', 'checkpoint')
      const floor = await psql(target.url!, 'insert into customers_floor select * from customers')
      log(`  floor: one INSERT … SELECT of the imported rows into an empty copy of customers (same indexes): ${floor.toFixed(2)} s`)
      return { ...opts, fileMb, psql: psqlTimes, ours: ours.seconds, reimport: again.seconds, floor, report: ours.report, peakRssMb: Math.round(peak / 1e6) }
    } finally {
      await app.close()
    }
  } finally {
    clearInterval(sampler)
    rmSync(file, { force: true })
    await target.drop()
  }
}

/** The figures as markdown, also written to docs/performance.md between the bench:import markers. */
export function reportImport(r: ImportBenchResult, meta: { command: string; note: string }, file?: string): string {
  const base = Math.min(...r.psql)
  const ratio = base / r.ours
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; PostgreSQL, ${r.customers.toLocaleString('en')} customers (${r.fileMb.toFixed(0)} MB of CSV), chunks of ${r.chunk.toLocaleString('en')} rows.${meta.note ? ` ${meta.note}` : ''}`,
    '',
    '| run | seconds | rows/s | ratio (psql ÷ this) | goal |',
    '|---|---|---|---|---|',
    `| psql \\copy into a bare text table (the faster of ${r.psql.length}) | ${base.toFixed(2)} | ${Math.round(r.customers / base).toLocaleString('en')} | 1.00 | |`,
    `| POST /api/v1/import/customers, empty table (every row created) | ${r.ours.toFixed(2)} | ${Math.round(r.customers / r.ours).toLocaleString('en')} | **${ratio.toFixed(3)}** | ≥ ${importGoal} ${ratio >= importGoal ? 'met' : 'NOT met'} |`,
    `| the same file again (every row matched, nothing to write) | ${r.reimport.toFixed(2)} | ${Math.round(r.customers / r.reimport).toLocaleString('en')} | ${(base / r.reimport).toFixed(3)} | |`,
    `| floor: the imported rows, already sealed, by one INSERT … SELECT into an empty copy of customers (its indexes, no audit or events) | ${r.floor.toFixed(2)} | ${Math.round(r.customers / r.floor).toLocaleString('en')} | ${(base / r.floor).toFixed(3)} | |`,
    '',
    `Report of the first import: created ${r.report.created}, rejected ${r.report.rejected}. Peak RSS of the Node process (app and client): ${r.peakRssMb} MB.`
  ].join('\n')
  if (file) writeBlock(file, 'import', '## Bulk import (postgres)', lines)
  return lines
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
  const result = await benchImport({ customers: Number(flag('customers', '1000000')), chunk: Number(flag('chunk', '10000')), log: (l) => console.log(l) })
  console.log(reportImport(result, { command: `npx tsx test/bench/import.ts ${args.join(' ')}`, note: '' }, args.includes('--no-docs') ? undefined : `${root}docs/performance.md`))
}
