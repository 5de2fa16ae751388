/**
 * Webhook delivery (`npm run bench -- --only webhooks`): the real server as a child process
 * with default worker settings and one endpoint, a local receiver in this process.
 *  1. Latency at a steady 200 events/s: customer writes paced over REST; for each event the
 *     time from its commit (the body's `timestamp`, the transaction's start, so an upper
 *     bound) to its first arrival at the receiver. Goal: p99 under 1 s.
 *  2. Throughput (PostgreSQL): a backlog of events inserted straight into the outbox, and the
 *     rate at which the worker fans them out, signs, sends and records them.
 * Standalone: `npx tsx test/bench/webhooks.ts [--db postgres|pglite|both] [--seconds 30] [--rate 200] [--backlog 20000]`.
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import { WebhookReceiver } from '../support/webhook-receiver.js'
import { post, root, startServer, stopServer } from './children.js'
import { createBenchDatabase, type DbKind } from './seed.js'
import { writeBlock } from './report.js'

export type WebhookBenchOptions = { kinds: DbKind[]; seconds: number; rate: number; backlog: number; log: (line: string) => void }
export type LatencyFigures = { events: number; delivered: number; p50: number; p95: number; p99: number; max: number; writeRate: number }
export type WebhookBenchResult = { kind: DbKind; latency: LatencyFigures; throughput: { events: number; seconds: number; perSecond: number } | null }

export const webhookLatencyGoalMs = 1000

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : Number.NaN
}

/** First arrival per event id, and its commit-to-arrival time. */
function arrivals(receiver: WebhookReceiver, from: number): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of receiver.received.slice(from)) {
    const id = r.headers['webhook-id']
    if (!out.has(id)) out.set(id, r.at - Date.parse(JSON.parse(r.body).timestamp))
  }
  return out
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

async function benchKind(kind: DbKind, opts: WebhookBenchOptions): Promise<WebhookBenchResult> {
  const { log } = opts
  log(`\n== ${kind}: webhook delivery`)
  const target = await createBenchDatabase(kind)
  const receiver = new WebhookReceiver()
  const hook = await receiver.start()
  const bootstrapKey = `crm_bench_${randomBytes(16).toString('hex')}`
  const server = await startServer({
    role: 'app', ...(target.url ? { url: target.url } : { dataDir: target.dataDir }), poolSize: 10,
    piiKey: randomBytes(32).toString('base64'), jwtSecret: randomBytes(32).toString('base64url'), bootstrapKey,
    env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }
  })
  try {
    const appUrl = `http://127.0.0.1:${server.ports.app}`
    const token = (await post(`${appUrl}/api/v1/auth/token`, { apiKey: bootstrapKey })).json.accessToken as string
    const created = await post(`${appUrl}/api/v1/webhook-endpoints`, { url: hook }, token)
    if (created.status !== 201) throw new Error(`endpoint not created: ${JSON.stringify(created.json)}`)

    // 1. Paced writes.
    const total = opts.seconds * opts.rate
    log(`  ${total} customer writes at ${opts.rate}/s over REST`)
    const start = Date.now()
    const writes: Promise<unknown>[] = []
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / opts.rate
      const wait = due - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      writes.push(post(`${appUrl}/api/v1/customers`, { name: `Hook ${i}` }, token))
    }
    await Promise.all(writes)
    const writeRate = total / ((Date.now() - start) / 1000)
    await waitFor(() => arrivals(receiver, 0).size >= total, 60_000)
    const times = [...arrivals(receiver, 0).values()].sort((a, b) => a - b)
    const latency = { events: total, delivered: times.length, p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times.at(-1) ?? Number.NaN, writeRate }
    log(`  delivered ${latency.delivered}/${total} at ${writeRate.toFixed(0)} writes/s: commit → delivery p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms (goal p99 < ${webhookLatencyGoalMs} ms)`)

    // 2. A backlog straight into the outbox (PostgreSQL: this process cannot reach PGlite).
    let throughput: WebhookBenchResult['throughput'] = null
    if (target.url && opts.backlog > 0) {
      const db = new pg.Client({ connectionString: target.url })
      await db.connect()
      const before = receiver.received.length
      const t0 = Date.now()
      await db.query(`insert into outbox_events (id, type, entity_type, entity_id, data)
        select crm_uuidv7(), 'customer.updated', 'customer', gen_random_uuid(), jsonb_build_object('id', gen_random_uuid(), 'changes', jsonb_build_object('company', jsonb_build_object('from', null, 'to', 'Bench ' || n)))
        from generate_series(1, $1) n`, [opts.backlog])
      await waitFor(() => arrivals(receiver, before).size >= opts.backlog, 300_000)
      const got = arrivals(receiver, before).size
      const last = Math.max(...receiver.received.slice(before).map((r) => r.at))
      const seconds = (last - t0) / 1000
      throughput = { events: got, seconds, perSecond: got / seconds }
      log(`  backlog of ${opts.backlog}: ${got} delivered in ${seconds.toFixed(1)} s = ${throughput.perSecond.toFixed(0)} deliveries/s`)
      await db.end()
    }
    return { kind, latency, throughput }
  } finally {
    await stopServer(server.child)
    await receiver.stop()
    await target.drop()
  }
}

export async function benchWebhooks(opts: WebhookBenchOptions): Promise<WebhookBenchResult[]> {
  const out: WebhookBenchResult[] = []
  for (const kind of opts.kinds) out.push(await benchKind(kind, opts))
  return out
}

export function reportWebhooks(results: WebhookBenchResult[], meta: { note: string; command: string }): void {
  const rows = results.map((r) => `| ${r.kind} | ${r.latency.delivered}/${r.latency.events} | ${r.latency.writeRate.toFixed(0)} | ${r.latency.p50} | ${r.latency.p95} | **${r.latency.p99}** | ${r.latency.max} | ${r.throughput ? `${r.throughput.perSecond.toFixed(0)} /s (${r.throughput.events} in ${r.throughput.seconds.toFixed(1)} s)` : 'n/a'} |`)
  writeBlock(`${root}docs/performance.md`, 'webhooks', '## Webhook delivery', [
    `Command: \`${meta.command}\`. ${meta.note}`,
    '',
    'One endpoint on a local receiver, default worker settings (poll 200 ms, 16 concurrent sends). Latency: from the event\'s commit',
    '(its `timestamp`, the transaction\'s start, so an upper bound) to its first arrival, for customer writes paced at the rate shown.',
    `Goal: p99 under ${webhookLatencyGoalMs} ms at 200 events/s. Throughput: a backlog inserted straight into the outbox, drained by one process's worker.`,
    '',
    '| database | delivered | writes/s | p50 ms | p95 ms | p99 ms | max ms | backlog throughput |',
    '|---|---|---|---|---|---|---|---|',
    ...rows
  ].join('\n'))
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2)
  const flag = (name: string, fallback: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : fallback }
  const db = flag('db', 'postgres')
  const results = await benchWebhooks({
    kinds: db === 'both' ? ['postgres', 'pglite'] : [db as DbKind], seconds: Number(flag('seconds', '30')), rate: Number(flag('rate', '200')),
    backlog: Number(flag('backlog', '20000')), log: console.log
  })
  if (!args.includes('--no-docs')) reportWebhooks(results, { note: '', command: `npx tsx test/bench/webhooks.ts ${args.join(' ')}` })
}
