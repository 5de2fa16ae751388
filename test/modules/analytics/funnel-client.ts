import { parse } from 'csv-parse/sync'
import type { TestApp } from '../../helper.js'
import type { Funnel, Query, Step } from './funnel-model.js'

/** The report through each transport, answered in one shape (the GraphQL one) to compare. */

const STEP = 'step count rateFromPrevious overallRate duration { count medianSeconds p90Seconds }'
export const FIELDS = `period { from to timeZone bucket previousFrom previousTo } view groupBy
  steps { ${STEP} } groups { key label steps { ${STEP} } } previous { ${STEP} }`

export const FUNNEL_VARS = `query($p: ReportPeriodInput, $v: ReferralFunnelView, $g: ReferralFunnelGroupBy, $f: ReferralFunnelFilter) {
  referralFunnel(period: $p, view: $v, groupBy: $g, filter: $f) { ${FIELDS} } }`

const periodInput = (q: Query) => ({ from: q.from.toISOString(), to: q.to.toISOString(), bucket: q.bucket, compare: q.compare })

export async function viaVariables(ctx: TestApp, token: string, q: Query) {
  return ctx.gql(token, FUNNEL_VARS, { p: periodInput(q), v: q.view, g: q.groupBy, f: q.filter })
}

/** The same query with every argument written inline (enums bare, strings quoted). */
export async function viaInline(ctx: TestApp, token: string, q: Query) {
  const filter = Object.entries(q.filter).map(([k, v]) => `${k}: ${['referrerKind', 'channel'].includes(k) ? v : JSON.stringify(v)}`).join(', ')
  const args = [
    `period: { from: ${JSON.stringify(q.from.toISOString())}, to: ${JSON.stringify(q.to.toISOString())}, bucket: ${q.bucket}, compare: ${q.compare} }`,
    `view: ${q.view}`, ...(q.groupBy ? [`groupBy: ${q.groupBy}`] : []), `filter: { ${filter} }`
  ]
  return ctx.gql(token, `{ referralFunnel(${args.join(', ')}) { ${FIELDS} } }`)
}

export function restUrl(q: Query, format?: 'csv'): string {
  const params = new URLSearchParams({ ...periodInput(q), compare: String(q.compare), view: q.view, ...(q.groupBy ? { groupBy: q.groupBy } : {}), ...q.filter })
  if (format) params.set('format', format)
  return `/api/v1/analytics/referral-funnel?${params}`
}

const num = (cell: string) => (cell === '' ? null : Number(cell))

/** The CSV parsed back into the report's shape (section total, group, previous). */
export function fromCsv(text: string): Funnel & { bom: boolean } {
  const bom = text.charCodeAt(0) === 0xfeff
  const records: string[][] = parse(bom ? text.slice(1) : text, { relax_column_count: false })
  const [header, ...rows] = records
  const col = (name: string) => header.indexOf(name)
  const step = (r: string[]): Step => ({
    step: r[col('step')], count: Number(r[col('count')]),
    rateFromPrevious: num(r[col('rateFromPrevious')]), overallRate: num(r[col('overallRate')]),
    duration: { count: Number(r[col('durationCount')]), medianSeconds: num(r[col('medianSeconds')]), p90Seconds: num(r[col('p90Seconds')]) }
  })
  const groups: Funnel['groups'] = []
  for (const r of rows.filter((r) => r[0] === 'group')) {
    const key = r[col('groupKey')] === '' ? null : r[col('groupKey')]
    const label = r[col('groupLabel')] === '' ? null : r[col('groupLabel')]
    let g = groups[groups.length - 1]
    if (!g || g.key !== key || g.steps.length === 7) groups.push(g = { key, label, steps: [] })
    g.steps.push(step(r))
  }
  const previous = rows.filter((r) => r[0] === 'previous').map(step)
  return { bom, steps: rows.filter((r) => r[0] === 'total').map(step), groups, previous: previous.length ? previous : null }
}

/** Numbers equal up to floating point (percentiles are interpolated in float8). */
export function close(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i]))
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    return close(ka, kb) && ka.every((k) => close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return a === b
}
