import { readFileSync, readdirSync } from 'node:fs'
const dir = process.argv[2]; const filter = new RegExp(process.argv[3] ?? 'src/')
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => [f, readFileSync(`${dir}/${f}`).length] as const).sort((a, b) => b[1] - a[1])[0][0]
const p = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const incl = new Map<string, number>(); let total = 0
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] ?? 0; let cur: number | undefined = p.samples[i]
  if (byId.get(cur!).callFrame.functionName === '(idle)') continue
  total += dt
  const seen = new Set<string>()
  while (cur !== undefined) { const f = byId.get(cur).callFrame; const k = `${f.functionName}@${f.url.replace(/.*\/(src|node_modules)\//, '$1/')}:${f.lineNumber}`; if (filter.test(k) && !seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + dt) } cur = parent.get(cur) }
}
console.log('total busy', (total / 1e6).toFixed(1), 's')
for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 40))) console.log((100 * v / total).toFixed(1).padStart(5), '%', k)
