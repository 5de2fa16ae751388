import { openDatabase } from '../../../src/db/client.js'
import { expireBatch } from '../../../src/modules/points/points.expiry.js'
import { adminQuery, createBenchDatabase } from '../seed.js'
const batch = Number(process.argv[2] ?? 5000)
const copy = await createBenchDatabase('postgres', undefined, 'crm_points_expiry_1000000')
await adminQuery(copy.url!, 'checkpoint')
const database = await openDatabase({ url: copy.url, poolSize: 2 })
try {
  const now = new Date(); const t0 = performance.now(); let n = 0; let after: string | null = null; const times: number[] = []
  for (;;) { const t = performance.now(); const r = await expireBatch(database.db, now, batch, after); after = r.last; times.push(performance.now() - t); n += r.accounts; if (r.scanned < batch) break }
  const q = (f: number) => [...times].sort((a, b) => a - b)[Math.floor(f * (times.length - 1))].toFixed(0)
  console.log(`batch ${batch}: ${n} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${times.length} batches, per batch p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} ms; first ${times.slice(0, 3).map((x) => x.toFixed(0))} last ${times.slice(-3).map((x) => x.toFixed(0))}`)
} finally { await database.close(); await copy.drop() }
