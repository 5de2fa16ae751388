import { readFileSync, readdirSync } from 'node:fs'
const dir = process.argv[2]; const target = process.argv[3] ?? 'writev'
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!
const p = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))
const byId = new Map<number, any>(p.nodes.map((n: any) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const self = new Map<number, number>()
for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
const agg = new Map<string, number>()
for (const [id, t] of self) {
  const n = byId.get(id)
  if (n.callFrame.functionName !== target) continue
  const chain: string[] = []
  let cur = parent.get(id)
  while (cur !== undefined && chain.length < 7) { const f = byId.get(cur).callFrame; chain.push(`${f.functionName}@${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`); cur = parent.get(cur) }
  const key = chain.join(' < ')
  agg.set(key, (agg.get(key) ?? 0) + t)
}
for (const [k, v] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log((v / 1000).toFixed(0).padStart(6), 'ms', k)
