/** The benchmark's table, on the console and in docs/performance.md (between markers). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import pg from 'pg'
import type { PairResult } from './load.js'
import type { SeedReport } from './seed.js'

export type DbResult = { kind: string; seeded: SeedReport; point: PairResult; page: PairResult; shape: string; pageQuery: string }

export const goals = { point: 0.7, page: 0.6 }

type Row = { db: string; workload: string; gRps: string; gP99: string; pRps: string; pP99: string; ratio: string; goal: string }

function rows(results: DbResult[]): Row[] {
  return results.flatMap((r) => ([['point', 'customer(id) vs GET /customer/:id', r.point], ['page', `page of 50 (${r.shape}) vs GET /page`, r.page]] as const)
    .filter(([, , pair]) => pair.runs.a.length > 0)
    .map(([key, workload, pair]) => {
      const ratio = pair.a.rps / pair.b.rps
      const goal = goals[key]
      return {
        db: r.kind, workload,
        gRps: pair.a.rps.toFixed(0), gP99: `${pair.a.p99.toFixed(0)} ms`,
        pRps: pair.b.rps.toFixed(0), pP99: `${pair.b.p99.toFixed(0)} ms`,
        ratio: ratio.toFixed(2),
        goal: `≥ ${goal} ${ratio >= goal ? 'met' : 'NOT met'}${pair.a.bad + pair.b.bad ? ` (${pair.a.bad + pair.b.bad} bad responses!)` : ''}`
      }
    }))
}

const header = ['database', 'workload', 'GraphQL req/s', 'GraphQL p99', 'plain req/s', 'plain p99', 'ratio', 'goal']

export function printTable(results: DbResult[], log: (line: string) => void): void {
  const table = [header, ...rows(results).map((r) => [r.db, r.workload, r.gRps, r.gP99, r.pRps, r.pP99, r.ratio, r.goal])]
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)))
  log('')
  for (const row of table) log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '))
}

function markdown(results: DbResult[], meta: { note: string; command: string; opts: Record<string, unknown> }): string {
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\``,
    '',
    `Machine: ${meta.note}`,
    '',
    `Load: autocannon, ${meta.opts.connections} connections, ${meta.opts.warmup} s warm-up per side, then ${meta.opts.rounds} × ${meta.opts.duration} s per side, interleaved (A B B A); req/s and p99 are the means of those runs. Ratio = GraphQL req/s ÷ plain req/s from the same run.`,
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows(results).map((r) => `| ${[r.db, r.workload, r.gRps, r.gP99, r.pRps, r.pP99, `**${r.ratio}**`, r.goal].join(' | ')} |`),
    '',
    'Seeded data:',
    '',
    ...results.map((r) => `- ${r.kind}: ${Object.entries(r.seeded.counts).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')}; seeded in ${r.seeded.seconds} s`),
    '',
    `Nested page query: \`${results[0]?.pageQuery ?? ''}\``
  ]
  return lines.join('\n')
}

const START = '<!-- bench:results -->'
const END = '<!-- /bench:results -->'

/** Replaces the results block of docs/performance.md, leaving the prose around it alone. */
export function writeDocs(file: string, results: DbResult[], meta: { note: string; command: string; opts: Record<string, unknown> }): void {
  const block = `${START}\n${markdown(results, meta)}\n${END}`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : `# Performance\n\n## Latest results\n\n${START}\n${END}\n`
  const next = text.includes(START) && text.includes(END)
    ? text.slice(0, text.indexOf(START)) + block + text.slice(text.indexOf(END) + END.length)
    : `${text.trimEnd()}\n\n## Latest results\n\n${block}\n`
  writeFileSync(file, next)
}

/** CPU, memory, Node, PostgreSQL and PGlite versions: numbers mean little without them. */
export async function machineNote(): Promise<string> {
  const cpu = cpus()
  let postgres = 'PostgreSQL unavailable'
  try {
    const client = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' })
    await client.connect()
    postgres = `PostgreSQL ${(await client.query('show server_version')).rows[0].server_version}`
    await client.end()
  } catch { /* reported as unavailable */ }
  const pglite = (JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as { version: string }).version
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'} (shared), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${postgres} (same host), PGlite ${pglite}; app, baseline, database and autocannon all share the cores, so absolute numbers drift ±15% between runs — compare the ratios.`
}

/** Replaces the block between `<!-- bench:<marker> -->` markers in `file`, or appends it under `heading` (a markdown heading line). */
export function writeBlock(file: string, marker: string, heading: string, body: string): void {
  const start = `<!-- bench:${marker} -->`
  const end = `<!-- /bench:${marker} -->`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const block = `${start}\n${body}\n${end}`
  writeFileSync(file, text.includes(start) && text.includes(end)
    ? text.slice(0, text.indexOf(start)) + block + text.slice(text.indexOf(end) + end.length)
    : `${text.trimEnd()}\n\n${heading}\n\n${block}\n`)
}
