/**
 * The hand-written side of the analytics benchmark: one SQL statement per report, from the
 * modules in ./queries (each exports `{ report, sql(p) }`), found at run time so the harness
 * runs with whichever are present. Files starting with `_` are examples, used only for a
 * report no other module covers.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import pg from 'pg'

/** What a query module receives: the period (ISO instants, half-open) and the reporting zone; campaign reports also read the campaign(s) the bench picked. */
export type QueryParams = { from: string; to: string; tz: string; campaignId?: string; campaignIds?: string[] }
export type Handwritten = { report: string; file: string; sql(p: QueryParams): { text: string; values: unknown[] } }

const dir = fileURLToPath(new URL('./queries/', import.meta.url))

export async function discoverQueries(log: (line: string) => void): Promise<Map<string, Handwritten>> {
  const found = new Map<string, Handwritten>()
  let files: string[] = []
  try { files = readdirSync(dir).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort() } catch { /* no directory yet */ }
  // Real modules first, so an example never hides one.
  files.sort((a, b) => Number(a.startsWith('_')) - Number(b.startsWith('_')) || a.localeCompare(b))
  for (const file of files) {
    const module = await import(pathToFileURL(`${dir}${file}`).href) as Record<string, unknown>
    for (const value of Object.values(module)) {
      if (!value || typeof value !== 'object') continue
      const q = value as Partial<Handwritten>
      if (typeof q.report !== 'string' || typeof q.sql !== 'function') continue
      if (found.has(q.report)) {
        if (!file.startsWith('_')) log(`  two hand-written queries for ${q.report}: using ${found.get(q.report)!.file}, not ${file}`)
        continue
      }
      found.set(q.report, { report: q.report, file, sql: q.sql.bind(q) })
    }
  }
  return found
}

/** Runs a statement and says how long it took (ms) and how many rows came back. */
export type SqlRunner = {
  run(text: string, values: unknown[]): Promise<{ ms: number; rows: number }>
  explain(text: string, values: unknown[]): Promise<unknown>
  /** Untimed, for the bench's own look-ups. */
  rows(text: string, values: unknown[]): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

/** PostgreSQL: through `pg` directly, one connection, from the bench process (as the server's driver would, but no app in between). */
export async function pgRunner(url: string, timeoutSeconds = 300): Promise<SqlRunner> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  // A runaway query fails its row of the table instead of stalling the whole run.
  await client.query(`set statement_timeout = '${Math.round(timeoutSeconds)}s'`)
  return {
    async run(text, values) {
      const started = performance.now()
      const result = await client.query({ text, values })
      return { ms: performance.now() - started, rows: result.rowCount ?? result.rows.length }
    },
    async explain(text, values) {
      return (await client.query({ text: `explain (format json) ${text}`, values })).rows[0]['QUERY PLAN']
    },
    async rows(text, values) {
      return (await client.query({ text, values })).rows
    },
    close: () => client.end()
  }
}

/** PGlite: only the server's process can open the database, so the statement runs there (server-process.ts, `{ handwritten }` message), timed in that process. */
export function ipcRunner(child: ChildProcess): SqlRunner {
  let next = 0
  type Answer = { ms: number; rows: number; plan?: unknown; data?: Record<string, unknown>[]; error?: string }
  const ask = (text: string, values: unknown[], mode: 'time' | 'explain' | 'rows') => new Promise<Answer>((resolve) => {
    const id = ++next
    const listener = (m: { handwrittenResult?: Answer & { id: number } }) => {
      if (m.handwrittenResult?.id !== id) return
      child.off('message', listener)
      resolve(m.handwrittenResult)
    }
    child.on('message', listener)
    child.send({ handwritten: { id, text, values, mode } })
  })
  return {
    async run(text, values) {
      const r = await ask(text, values, 'time')
      if (r.error) throw new Error(r.error)
      return { ms: r.ms, rows: r.rows }
    },
    async explain(text, values) {
      const r = await ask(text, values, 'explain')
      if (r.error) throw new Error(r.error)
      return r.plan
    },
    async rows(text, values) {
      const r = await ask(text, values, 'rows')
      if (r.error) throw new Error(r.error)
      return r.data ?? []
    },
    close: async () => {}
  }
}

type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; 'Join Type'?: string; Strategy?: string; 'Total Cost'?: number; Plans?: PlanNode[] }

/** A plan's top nodes as one line: `Aggregate ← Hash Join (Seq Scan orders, Hash ← Index Scan referrals_submitted_at_idx)`, `depth` levels deep. */
export function planShape(plan: unknown, depth = 3): string {
  const root = (Array.isArray(plan) ? plan[0] : plan) as { Plan?: PlanNode } | undefined
  if (!root?.Plan) return '(no plan)'
  const label = (n: PlanNode) => {
    const on = n['Index Name'] ?? n['Relation Name']
    const kind = n['Node Type'] === 'Aggregate' && n.Strategy ? `${n.Strategy} Aggregate` : n['Join Type'] && n['Node Type'].includes('Join') && n['Join Type'] !== 'Inner' ? `${n['Node Type']} (${n['Join Type']})` : n['Node Type']
    return on ? `${kind} on ${on}` : kind
  }
  const walk = (n: PlanNode, level: number): string => {
    const kids = n.Plans ?? []
    if (level >= depth || kids.length === 0) return label(n) + (kids.length && level >= depth ? ' …' : '')
    const inner = kids.map((k) => walk(k, level + 1))
    return kids.length === 1 ? `${label(n)} ← ${inner[0]}` : `${label(n)} (${inner.join(', ')})`
  }
  return walk(root.Plan, 1)
}

/** Seq Scans over big tables anywhere in the plan: what an index or a rollup could save. */
export function seqScans(plan: unknown): string[] {
  const out = new Set<string>()
  const visit = (n: PlanNode) => { if (n['Node Type'] === 'Seq Scan' && n['Relation Name']) out.add(n['Relation Name']); (n.Plans ?? []).forEach(visit) }
  const root = (Array.isArray(plan) ? plan[0] : plan) as { Plan?: PlanNode } | undefined
  if (root?.Plan) visit(root.Plan)
  return [...out]
}
