/** Timing helpers of the analytics benchmark: sequential samples, percentiles, the server's RSS. */
import { readFileSync } from 'node:fs'

export type Stats = { median: number; p90: number; n: number }

/** Nearest-rank percentile of `xs` (ms). */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export const stats = (xs: number[]): Stats => ({ median: percentile(xs, 50), p90: percentile(xs, 90), n: xs.length })

/** Samples a process's resident set (VmRSS) every `everyMs` until stopped; peak and last in MB. */
export function rssSampler(pid: number, everyMs = 100) {
  let peak = 0
  let last = 0
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
      if (m) { last = Number(m[1]) / 1024; peak = Math.max(peak, last) }
    } catch { /* the process has gone */ }
  }
  read()
  const timer = setInterval(read, everyMs)
  return {
    get peakMb() { return Math.round(peak) },
    get lastMb() { return Math.round(last) },
    stop() { read(); clearInterval(timer) }
  }
}

/** A GET to the app, timed to the last byte of the JSON; throws on a non-200 with the answer. */
export async function timedGet(url: string, token: string): Promise<{ ms: number; status: number; body: unknown }> {
  const started = performance.now()
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
  const text = await res.text()
  const ms = performance.now() - started
  let body: unknown = text
  try { body = JSON.parse(text) } catch { /* left as text */ }
  return { ms, status: res.status, body }
}

export const fmtMs = (ms: number) => (Number.isNaN(ms) ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`)
