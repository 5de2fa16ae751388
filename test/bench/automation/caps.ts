/**
 * The frequency cap under concurrency (docs/guardrails.md): 200 transactions at once, each
 * calling services.messageGate.enqueueCustomerMessages for ONE customer with its own dedupe
 * key, on a fresh copy of the seeded PostgreSQL database: exactly the daily cap may pass,
 * the rest are `capped` (the contact_locks row lock serialises them). Beside it the same 200
 * transactions spread over 200 customers (no contention: all pass). --rounds R repetitions,
 * interleaved, each on customers not used before (eligible: phone, SMS marketing consent, no
 * earlier message). Wall time and transactions per second, medians.
 */
import type { Config } from '../../../src/config.js'
import { openDatabase } from '../../../src/db/client.js'
import type { PiiCipher } from '../../../src/lib/pii.js'
import { createServices } from '../../../src/modules/services.js'
import { adminQuery, benchBaseUrl, createBenchDatabase } from '../seed.js'
import { IDS, SEGMENT } from './seed.js'

export type CapsRun = { ms: number; queued: number; capped: number; other: number }
export type CapsResult = { concurrent: number; pool: number; cap: number; hot: CapsRun[]; spread: CapsRun[] }

export async function benchCaps(o: { template: string; pii: PiiCipher; config: Config; now: Date; log: (l: string) => void; rounds?: number; concurrent?: number; pool?: number }): Promise<CapsResult> {
  const n = o.concurrent ?? 200
  const rounds = o.rounds ?? 3
  const pool = o.pool ?? 40
  const copy = await createBenchDatabase('postgres', benchBaseUrl(), o.template)
  await adminQuery(copy.url!, 'checkpoint')
  const database = await openDatabase({ url: copy.url, poolSize: pool })
  const out: CapsResult = { concurrent: n, pool, cap: o.config.MESSAGE_CAP_PER_DAY, hot: [], spread: [] }
  try {
    const services = createServices({ db: database.db, raw: database.raw, pii: o.pii, config: o.config })
    const eligible = (await database.raw(`
      select c.id from customers c join customer_scores s on s.customer_id = c.id and s.segment = '${SEGMENT}'
      where c.phone_enc is not null
        and exists (select 1 from consent_records r where r.customer_id = c.id and r.channel = 'sms' and r.granted)
        and not exists (select 1 from consent_records r where r.customer_id = c.id and not r.granted)
        and not exists (select 1 from messages m where m.customer_id = c.id)
      order by c.id limit ${rounds * (n + 1)}`, [])).map((r) => String(r.id))
    if (eligible.length < rounds * (n + 1)) throw new Error(`only ${eligible.length} eligible customers for the cap benchmark`)
    const send = async (customerIds: string[], tag: string): Promise<CapsRun> => {
      const started = performance.now()
      const outcomes = await Promise.all(customerIds.map((customerId, i) => database.db.transaction((tx) =>
        services.messageGate.enqueueCustomerMessages(tx, [{ customerId, templateId: IDS.template, context: { customerId }, dedupeKey: `bench:${tag}:${i}` }], o.now))))
      const ms = performance.now() - started
      const flat = outcomes.flat()
      const queued = flat.filter((x) => x.status === 'queued').length
      const capped = flat.filter((x) => x.status === 'capped').length
      return { ms, queued, capped, other: flat.length - queued - capped }
    }
    for (let r = 0; r < rounds; r++) {
      const hotId = eligible[r]
      const spreadIds = eligible.slice(rounds + r * n, rounds + (r + 1) * n)
      for (const kind of r % 2 === 0 ? ['hot', 'spread'] as const : ['spread', 'hot'] as const) {
        const run = kind === 'hot' ? await send(Array(n).fill(hotId), `hot${r}`) : await send(spreadIds, `spread${r}`)
        const expect = kind === 'hot' ? out.cap : n
        if (run.queued !== expect || run.other !== 0) throw new Error(`${kind}: ${run.queued} queued, ${run.capped} capped, ${run.other} other; expected ${expect} queued`)
        if (kind === 'hot') {
          const [stored] = await database.raw(`select count(*) filter (where status = 'queued')::int as queued, count(*) filter (where status = 'capped' and reason = 'daily_cap')::int as capped
            from messages where customer_id = $1`, [hotId])
          if (stored.queued !== out.cap || stored.capped !== n - out.cap) throw new Error(`hot customer's stored messages: ${JSON.stringify(stored)}`)
        }
        out[kind].push(run)
        o.log(`  caps round ${r + 1} ${kind === 'hot' ? `${n} concurrent sends to one customer` : `${n} concurrent sends to ${n} customers`}: ${run.queued} queued, ${run.capped} capped, ${(run.ms / 1000).toFixed(2)} s (${(n / run.ms * 1000).toFixed(0)} tx/s)`)
      }
    }
    return out
  } finally {
    await database.close()
    await copy.drop()
  }
}
