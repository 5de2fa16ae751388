import { writeBlock } from '../report.js'
import type { AutomationResult } from './index.js'

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
const rate = (n: number, ms: number) => Math.round(n / ms * 1000).toLocaleString('en')
const s = (ms: number) => (ms / 1000).toFixed(1)

/** The figures as markdown, also written to docs/performance.md between the bench:automation-<kind> markers. */
export function reportAutomation(r: AutomationResult, command: string, file?: string, note?: string): string {
  const n = r.enrolled
  const [ae, he] = [median(r.app.enrollMs), median(r.hand.enrollMs)]
  const [as, hs] = [median(r.app.stepMs), median(r.hand.stepMs)]
  const enrollRatio = he / ae
  const bothRatio = (he + hs) / (ae + as)
  const outcomes = Object.entries(r.outcomes).map(([k, v]) => `${v.toLocaleString('en')} ${k}`).join(', ')
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${command}\` (${r.kind}): ${r.counts.customers.toLocaleString('en')} customers, ${r.counts.audience.toLocaleString('en')} in the segment, ${r.counts['consent records'].toLocaleString('en')} consent records, ${r.counts['earlier messages'].toLocaleString('en')} earlier marketing messages${r.seedSeconds === null ? ' (a copy of the template kept by --reuse)' : ` (seeded in ${r.seedSeconds.toFixed(0)} s)`}. Each run on a fresh copy of the seeded database, ${r.rounds} per side interleaved; medians. Throughput = enrollments per second.`,
    '',
    '| phase | side | seconds | per second | × hand-written | goal |',
    '|---|---|---:|---:|---:|---|',
    `| enrollment | hand-written: one INSERT of the snapshot and the enrollments | ${s(he)} | ${rate(n, he)} | 1.00 | |`,
    `| enrollment | \`journeyEngine.scan\` (the journey-scan job) | ${s(ae)} | ${rate(n, ae)} | **${enrollRatio.toFixed(2)}** | ≥ 0.3 ${enrollRatio >= 0.3 ? 'met' : 'NOT met'} |`,
    `| message step | hand-written: one statement, consent and caps in SQL | ${s(hs)} | ${rate(n, hs)} | 1.00 | |`,
    `| message step | \`runDue\` × ${r.app.passes.toLocaleString('en')} passes of ${r.batchUsed.toLocaleString('en')} (the worker), through the gate | ${s(as)} | ${rate(n, as)} | **${(hs / as).toFixed(2)}** | |`,
    `| enrollment + step | hand-written | ${s(he + hs)} | ${rate(n, he + hs)} | 1.00 | |`,
    `| enrollment + step | engine | ${s(ae + as)} | ${rate(n, ae + as)} | **${bothRatio.toFixed(2)}** | |`,
    '',
    `Runs (s): scan ${r.app.enrollMs.map(s).join(', ')}; hand enrollment ${r.hand.enrollMs.map(s).join(', ')}; runDue ${r.app.stepMs.map(s).join(', ')}; hand step ${r.hand.stepMs.map(s).join(', ')}. Both sides wrote the same (checked after each phase of every run): ${n.toLocaleString('en')} enrollments and snapshot rows; messages ${outcomes}; the step runs and the enrollments' end; every unsubscribe link a genuine HMAC.`
  ]
  if (r.caps) {
    const c = r.caps
    const hot = median(c.hot.map((x) => x.ms))
    const spread = median(c.spread.map((x) => x.ms))
    lines.push('', `Cap under concurrency (${c.concurrent} transactions at once, each \`messageGate.enqueueCustomerMessages\` for one message, pool of ${c.pool} connections, ${c.hot.length} rounds interleaved, medians):`, '',
      '| sends | queued | capped | seconds | transactions per second |', '|---|---:|---:|---:|---:|',
      `| ${c.concurrent} to ONE customer (daily cap ${c.cap}) | ${c.hot.map((x) => x.queued).join(' / ')} | ${c.hot.map((x) => x.capped).join(' / ')} | ${(hot / 1000).toFixed(2)} | ${rate(c.concurrent, hot)} |`,
      `| ${c.concurrent} to ${c.concurrent} customers | ${c.spread.map((x) => x.queued).join(' / ')} | ${c.spread.map((x) => x.capped).join(' / ')} | ${(spread / 1000).toFixed(2)} | ${rate(c.concurrent, spread)} |`)
  }
  if (note) lines.push('', `Machine: ${note}`)
  const body = lines.join('\n')
  if (file) writeBlock(file, `automation-${r.kind}`, `### Automation: segment-entry journey (${r.kind})`, body)
  return body
}
