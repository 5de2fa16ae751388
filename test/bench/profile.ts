/**
 * Where the app's CPU time goes, from `--cpu-prof` profiles (node's built-in profiler).
 * Each sample is charged to the nearest frame on its stack that belongs to a known part
 * (JWT, GraphQL, Drizzle, pg, PII, Fastify, …), so time inside node:crypto under
 * fast-jwt counts as JWT and under src/lib/pii.ts as PII.
 *
 * Standalone: `npx tsx test/bench/profile.ts <dir-or-file.cpuprofile>`
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] }

const parts: [string, RegExp][] = [
  ['JWT verify (auth hook, @fastify/jwt, fast-jwt)', /src\/plugins\/auth\.ts|@fastify\/jwt|fast-jwt|src\/modules\/auth\/tokens/],
  ['PII decrypt (src/lib/pii.ts)', /src\/lib\/pii\.ts|src\/modules\/common\/contact\.ts/],
  ['GraphQL JIT-compiled execution', /graphql-jit/],
  ['GraphQL parse/validate/execute (graphql-js)', /node_modules\/graphql\//],
  ['mercurius (routing, cache, loaders)', /mercurius|node_modules\/tiny-lru|node_modules\/single-user-cache/],
  ['Drizzle query building/mapping', /drizzle-orm/],
  ['pg driver (protocol, parsing)', /node_modules\/pg|pg-protocol|pg-types|pgpass|postgres-/],
  ['PGlite (wasm)', /@electric-sql\/pglite|wasm:\/\//],
  ['app services/resolvers', /\/src\//],
  ['metrics (prom-client)', /prom-client/],
  ['Fastify core (routing, hooks, reply)', /node_modules\/(fastify|find-my-way|avvio|light-my-request|@fastify|fast-json-stringify|fast-querystring|toad-cache|process-warning|abstract-logging|pino)/],
  ['Node http/net/streams', /node:(_http|http|net|stream|internal\/(http|net|stream|streams|js_stream))|node:internal\/(timers|process\/task_queues)/]
]

function partOf(url: string): string | null {
  if (!url || url.startsWith('node:internal/crypto') || url.startsWith('node:crypto')) return null
  for (const [name, re] of parts) if (re.test(url)) return name
  return null
}

function load(path: string): Profile[] {
  const files = statSync(path).isDirectory() ? readdirSync(path).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(path, f)) : [path]
  return files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile)
}

/** A text summary: share of busy time by part, and the hottest functions (self time). */
export function summariseProfiles(path: string, verbose = false): string {
  const byPart = new Map<string, number>()
  const bySelf = new Map<string, number>()
  const byPartFn = new Map<string, Map<string, number>>()
  let busy = 0
  for (const profile of load(path)) {
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
    const parent = new Map<number, number>()
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
    const charged = new Map<number, string>()
    const chargeOf = (id: number): string => {
      const known = charged.get(id)
      if (known) return known
      const n = nodes.get(id)!
      const name = n.callFrame.functionName
      let part = partOf(n.callFrame.url)
      if (!part) {
        if (name === '(garbage collector)') part = 'garbage collection'
        else if (name === '(idle)' || name === '(program)' || name === '(root)') part = name
        else part = parent.has(id) ? chargeOf(parent.get(id)!) : 'other'
      }
      charged.set(id, part)
      return part
    }
    profile.samples.forEach((id, i) => {
      const dt = profile.timeDeltas[i] ?? 0
      const part = chargeOf(id)
      if (part === '(idle)') return
      busy += dt
      byPart.set(part, (byPart.get(part) ?? 0) + dt)
      const n = nodes.get(id)!
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/src\//, 'src/')}:${n.callFrame.lineNumber + 1}`
      bySelf.set(fn, (bySelf.get(fn) ?? 0) + dt)
      if (!byPartFn.has(part)) byPartFn.set(part, new Map())
      byPartFn.get(part)!.set(fn, (byPartFn.get(part)!.get(fn) ?? 0) + dt)
    })
  }
  const pct = (v: number) => `${((100 * v) / busy).toFixed(1).padStart(5)} %`
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
  return [
    `CPU profile of the app process (busy ${(busy / 1e6).toFixed(1)} s, idle excluded):`,
    ...top(byPart, 20).flatMap(([k, v]) => [
      `  ${pct(v)}  ${k}`,
      ...(verbose ? top(byPartFn.get(k) ?? new Map(), 4).map(([f, w]) => `             ${pct(w)}  ${f}`) : [])
    ]),
    'Hottest functions (self time):',
    ...top(bySelf, 25).map(([k, v]) => `  ${pct(v)}  ${k}`)
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(summariseProfiles(process.argv[2] ?? '.bench', process.argv.includes('--verbose')))
}
