/** The analytics benchmark's figures: on the console, and in docs/performance.md between the `bench:analytics-<kind>` markers. */
import { writeBlock } from '../report.js'
import type { AnalyticsResult } from './index.js'
import { fmtMs } from './timing.js'

const GOAL_REPORT = 1.0
const GOAL_DASHBOARD = 0.2
const GOAL_RSS_MB = 500

export function analyticsMarkdown(r: AnalyticsResult, meta: { command: string; note: string }): string {
  const s = r.sizes
  const data = `${s.customers.toLocaleString('en')} customers, ${s.orders.toLocaleString('en')} orders, ${s.referrers.toLocaleString('en')} referrers, ` +
    `${s.referrals.toLocaleString('en')} referrals (with leads, opportunities, activities, rewards), ${s.users} users, ${s.campaigns} campaigns`
  const origin = r.seedSeconds > 0 ? `seeded in ${(r.seedSeconds / 60).toFixed(1)} min` : `a copy of the kept template ${r.template} (${r.copySeconds.toFixed(0)} s)`
  const lines = [
    `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${meta.command}\`; ${r.kind}, ${data}; ${origin}; database ${(r.bytes / 2 ** 30).toFixed(1)} GiB.`,
    '',
    `Machine: ${meta.note}`,
    '',
    `Each cell: median (p90) of ${r.rounds * r.requests} sequential requests (${r.rounds} rounds of ${r.requests}, REST and SQL interleaved A B / B A), after one warm-up each. ` +
      `REST = \`GET /api/v1/analytics/<report>\` as admin, JSON, timed to the last byte; hand-written = the statement in \`test/bench/analytics/queries/\` ` +
      `${r.kind === 'postgres' ? 'through `pg` from the bench process' : 'run in the server process on the same PGlite handle'}. Ratio = REST median ÷ hand-written median (goal ≤ ${GOAL_REPORT}).`,
    '',
    '| report | period | REST | hand-written | ratio | goal |',
    '|---|---|---|---|---|---|',
    ...r.timings.map((t) => {
      const ratio = t.rest && t.sql ? t.rest.median / t.sql.median : undefined
      return `| ${t.report} | ${t.period} | ${t.rest ? `${fmtMs(t.rest.median)} (${fmtMs(t.rest.p90)})` : t.restError ?? '–'} | ` +
        `${t.sql ? `${fmtMs(t.sql.median)} (${fmtMs(t.sql.p90)})` : t.sqlError ? `failed: ${t.sqlError.replace(/\|/g, '/').slice(0, 80)}` : 'no query yet'} | ` +
        `${ratio !== undefined ? `**${ratio.toFixed(2)}**` : '–'} | ${ratio === undefined ? '' : ratio <= GOAL_REPORT ? 'met' : 'NOT met'} |`
    }),
    ''
  ]
  const d = r.dashboard
  if (d) {
    // Only a dashboard whose six answers all came back is compared.
    const ratio = d.handwrittenSum && d.errors.length === 0 ? d.wall.median / d.handwrittenSum : undefined
    lines.push(
      `Dashboard set (${d.reports.join(', ')}; default arguments, requested at once): wall ${fmtMs(d.wall.median)} (p90 ${fmtMs(d.wall.p90)}) over ${d.wall.n} rounds; ` +
        `sum of the hand-written 30-day medians ${d.handwrittenSum !== null ? fmtMs(d.handwrittenSum) : '–'}` +
        `${d.missing.length ? ` (without ${d.missing.join(', ')}: no query or no answer)` : ''}; ratio ${ratio !== undefined ? `**${ratio.toFixed(2)}**` : '–'} ` +
        `(goal ≤ ${GOAL_DASHBOARD}${ratio !== undefined ? `, ${ratio <= GOAL_DASHBOARD ? 'met' : 'NOT met'}` : ''})` +
        `${d.errors.length ? `; errors: ${d.errors.join(', ')}` : ''}.`,
      ''
    )
  }
  lines.push(
    `Server RSS (VmRSS of the app's process, sampled every 100 ms): ${r.rss.idleMb} MB after start, peak ${r.rss.peakMb} MB (goal < ${GOAL_RSS_MB} MB, ${r.rss.peakMb < GOAL_RSS_MB ? 'met' : 'NOT met'}).`,
    '',
    'Plan shapes of the hand-written queries (365 days; `EXPLAIN (FORMAT JSON)`, top three levels; sequential scans anywhere in the plan):',
    '',
    '| report | top of the plan | seq scans | est. cost |',
    '|---|---|---|---|',
    ...r.plans.map((p) => `| ${p.report} | ${p.shape.replace(/\|/g, '/')} | ${p.seqScans.join(', ') || '–'} | ${p.cost !== null ? Math.round(p.cost).toLocaleString('en') : '–'} |`)
  )
  return lines.join('\n')
}

export function reportAnalytics(r: AnalyticsResult, meta: { command: string; note: string }, file?: string): string {
  const body = analyticsMarkdown(r, meta)
  if (file) writeBlock(file, `analytics-${r.kind}`, `## Analytics (${r.kind})`, body)
  return body
}

