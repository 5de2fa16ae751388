import { openDatabase } from '../../../src/db/client.js'
import { expireBatch } from '../../../src/modules/points/points.expiry.js'
import { createBenchDatabase } from '../seed.js'
const copy = await createBenchDatabase('postgres', undefined, process.argv[2] ?? 'crm_points_expiry_1000000')
const database = await openDatabase({ url: copy.url, poolSize: 2 })
try {
  const now = new Date()
  const n = Number(process.argv[3] ?? 10)
  let after: string | null = null
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const r = await expireBatch(database.db, now, Number(process.env.B ?? 5000), after)
    after = r.last
  }
  console.log(n, 'batches', (performance.now() - t0).toFixed(0), 'ms')
  if (process.argv[4]) {
    const text = (await import('node:fs')).readFileSync(process.argv[4], 'utf8').replaceAll('$AT', now.toISOString()).replaceAll('00000000-0000-0000-0000-000000000000', after ?? '00000000-0000-0000-0000-000000000000')
    const rows = await database.raw(`explain (analyze, buffers) ${text}`, [])
    console.log(rows.map((r) => r['QUERY PLAN']).join('\n'))
  }
} finally { await database.close(); await copy.drop() }
