/**
 * Load generation with autocannon: one pair (GraphQL vs plain) measured interleaved
 * A B B A …, so drift on a shared machine hits both sides alike.
 */
import autocannon from 'autocannon'

export type Target = { name: string; url: string; requests: autocannon.Request[] }

export type Measure = { rps: number; p50: number; p99: number; requests: number; bad: number }

export type PairResult = { a: Measure; b: Measure; runs: { a: Measure[]; b: Measure[] } }

export type LoadOptions = { connections: number; duration: number; warmup: number; rounds: number; log: (line: string) => void }

async function fire(target: Target, connections: number, duration: number): Promise<Measure> {
  const r = await autocannon({ url: target.url, connections, duration, requests: target.requests })
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    bad: r.non2xx + r.errors + r.timeouts
  }
}

/** Warms both, then `rounds` pairs in alternating order; means of req/s and p99. */
export async function measurePair(a: Target, b: Target, opts: LoadOptions): Promise<PairResult> {
  if (opts.warmup > 0) {
    await fire(a, opts.connections, opts.warmup)
    await fire(b, opts.connections, opts.warmup)
  }
  const runs = { a: [] as Measure[], b: [] as Measure[] }
  for (let round = 0; round < opts.rounds; round++) {
    const order = round % 2 === 0 ? ([['a', a], ['b', b]] as const) : ([['b', b], ['a', a]] as const)
    for (const [side, target] of order) {
      const m = await fire(target, opts.connections, opts.duration)
      runs[side].push(m)
      opts.log(`    ${target.name.padEnd(28)} ${m.rps.toFixed(0).padStart(7)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms${m.bad ? `  BAD ${m.bad}` : ''}`)
    }
  }
  return { a: mean(runs.a), b: mean(runs.b), runs }
}

function mean(list: Measure[]): Measure {
  const avg = (f: (m: Measure) => number) => list.reduce((s, m) => s + f(m), 0) / list.length
  return {
    rps: avg((m) => m.rps), p50: avg((m) => m.p50), p99: avg((m) => m.p99),
    requests: list.reduce((s, m) => s + m.requests, 0), bad: list.reduce((s, m) => s + m.bad, 0)
  }
}

/** Requests that rotate through a pool of ids, one per request, across all connections. */
export function rotating(ids: string[], make: (id: string) => autocannon.Request): autocannon.Request[] {
  let next = 0
  return [{
    setupRequest: (request) => {
      const id = ids[next++ % ids.length]
      return { ...request, ...make(id) }
    }
  }]
}
