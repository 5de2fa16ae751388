import { parse } from 'csv-parse/sync'
import type { TestApp } from '../../helper.js'

/** GraphQL selections of the two reports, every field. */
const MONEY = '{ amount currency }'
const OPEN = `{ stage count amount ${MONEY} weightedAmount ${MONEY} }`
const FIGURES = `leadsAssigned firstResponse { count medianSeconds p90Seconds } followUpDue followUpMet followUpCompliance
  opportunitiesOpened won wonAmount ${MONEY} lost topLostReasons { reason count } winRate averageSalesCycleSeconds
  openPipeline ${OPEN} activities activitiesByKind { kind count } customersOwned`
export const SALES_FIELDS = `{ period { from to timeZone } reps { userId name active teamId teamName ${FIGURES} } teams { teamId name reps ${FIGURES} } }`
export const PIPELINE_FIELDS = `{ period { from to } stages { stage count amount ${MONEY} weightedAmount ${MONEY} averageAgeSeconds }
  conversion { stage entered advanced won lost advanceRate winRate } }`

export type Args = { from: string; to: string; teamId?: string; ownerId?: string }

/** The report four ways: GraphQL with variables, GraphQL inline, REST JSON, REST CSV (parsed to records). */
export async function fourWays(ctx: TestApp, token: string, field: 'salesPerformance' | 'pipeline', rest: string, a: Args) {
  const fields = field === 'salesPerformance' ? SALES_FIELDS : PIPELINE_FIELDS
  const vars = await ctx.gql(token, `query($p: ReportPeriodInput, $t: ID, $o: ID) { ${field}(period: $p, teamId: $t, ownerId: $o) ${fields} }`,
    { p: { from: a.from, to: a.to }, t: a.teamId ?? null, o: a.ownerId ?? null })
  const literal = [`period: { from: ${JSON.stringify(a.from)}, to: ${JSON.stringify(a.to)} }`,
    ...(a.teamId ? [`teamId: ${JSON.stringify(a.teamId)}`] : []), ...(a.ownerId ? [`ownerId: ${JSON.stringify(a.ownerId)}`] : [])].join(', ')
  const inline = await ctx.gql(token, `{ ${field}(${literal}) ${fields} }`)
  const qs = new URLSearchParams({ from: a.from, to: a.to, ...(a.teamId ? { teamId: a.teamId } : {}), ...(a.ownerId ? { ownerId: a.ownerId } : {}) })
  const json = await ctx.rest(token, 'GET', `/api/v1/analytics/${rest}?${qs}`)
  const csv = await ctx.rest(token, 'GET', `/api/v1/analytics/${rest}?${qs}&format=csv`)
  if (vars.errors || inline.errors || json.statusCode !== 200 || csv.statusCode !== 200) {
    throw new Error(`report failed: ${JSON.stringify({ vars: vars.errors, inline: inline.errors, json: json.body.slice(0, 500), csv: csv.body.slice(0, 300) })}`)
  }
  if (!csv.body.startsWith('\uFEFF')) throw new Error('CSV without a byte order mark')
  return {
    vars: vars.data[field], inline: inline.data[field], json: json.json(),
    csv: parse(csv.body.slice(1), { columns: true }) as Record<string, string>[]
  }
}

/** Differences between two answers, numbers compared to 1e-9 relative (floats from the database). */
export function differences(actual: unknown, expected: unknown, path = '$', out: string[] = []): string[] {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) out.push(`${path}: ${actual} != ${expected}`)
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) out.push(`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
    else expected.forEach((e, i) => differences(actual[i], e, `${path}[${i}]`, out))
  } else if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') out.push(`${path}: ${JSON.stringify(actual)} != object`)
    else {
      const keys = new Set([...Object.keys(expected), ...Object.keys(actual)])
      for (const k of keys) differences((actual as any)[k], (expected as any)[k], `${path}.${k}`, out)
    }
  } else if (actual !== expected) out.push(`${path}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`)
  return out
}

/** A CSV cell as the number or null it stands for. */
export const cellNumber = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v))
