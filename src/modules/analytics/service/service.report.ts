import { Type } from '@sinclair/typebox'
import type { Period } from '../../../rules/report-period.js'
import type { CsvTable } from '../analytics.csv.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView, rate } from '../analytics.views.js'
import {
  answerFigures, backlogRows, clockFigures, createdFigures, invitationFigures, labels,
  type AnswerRow, type ClockRow, type DimRow, type InvitationRow
} from './service.sql.js'
import { AGE_BUCKETS, BACKLOG_STATUSES, ServiceSatisfactionView, type Backlog, type ServiceFigures, type ServiceGroup } from './service.views.js'

export type ServiceSatisfactionResult = {
  period: ReturnType<typeof periodView>
  totals: ServiceFigures
  buckets: ServiceGroup[]
  byAgent: ServiceGroup[]
  byCategory: ServiceGroup[]
  byChannel: ServiceGroup[]
  previous: ServiceFigures | null
  backlog: Omit<Backlog, 'asOf'> & { asOf: Date }
}

type Found = {
  answers: (AnswerRow & DimRow)[]
  invitations: (InvitationRow & DimRow)[]
  created: ({ created: number } & DimRow)[]
  firstResponse: (ClockRow & DimRow)[]
  resolution: (ClockRow & DimRow)[]
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
const n = (v: unknown): number => Number(v ?? 0)

async function fetchFigures(ctx: ReportContext, period: Period, breakdowns: boolean): Promise<Found> {
  // One statement at a time: PGlite has a single connection.
  return {
    answers: await answerFigures(ctx, period, breakdowns),
    invitations: await invitationFigures(ctx, period, breakdowns),
    created: await createdFigures(ctx, period, breakdowns),
    firstResponse: await clockFigures(ctx, period, breakdowns, 'first_response'),
    resolution: await clockFigures(ctx, period, breakdowns, 'resolution')
  }
}

const clock = (r: ClockRow | undefined) => ({ count: n(r?.measured), medianMinutes: num(r?.median), p90Minutes: num(r?.p90) })
const sla = (r: ClockRow | undefined) => ({ ended: n(r?.sla_ended), met: n(r?.sla_met), compliance: rate(n(r?.sla_met), n(r?.sla_ended)) })

/** The figures of one group, zeros where a query had no row; the rates as docs/analytics.md defines them. */
export function figuresOf(found: Found, dim: DimRow['dim'], key: string | null): ServiceFigures {
  const pick = <T extends DimRow>(list: T[]) => list.find((r) => r.dim === dim && (dim === 'total' || r.key === key))
  const a = pick(found.answers); const i = pick(found.invitations); const f = pick(found.firstResponse); const r = pick(found.resolution)
  const csatAnswers = n(a?.csat_answers); const csatSatisfied = n(a?.csat_satisfied)
  const npsAnswers = n(a?.nps_answers); const promoters = n(a?.promoters); const detractors = n(a?.detractors)
  const nps = npsAnswers === 0 ? null : (100 * (promoters - detractors)) / npsAnswers
  const slaFirstResponse = sla(f); const slaResolution = sla(r)
  return {
    invitationsSent: n(i?.sent), invitationsAnswered: n(i?.answered), responseRate: rate(n(i?.answered), n(i?.sent)),
    responses: csatAnswers + npsAnswers,
    csatAnswers, csatSatisfied, csat: rate(csatSatisfied, csatAnswers),
    npsAnswers, promoters, passives: npsAnswers - promoters - detractors, detractors, nps,
    ticketsCreated: n(pick(found.created)?.created), ticketsResolved: n(r?.ended),
    firstResponse: clock(f), resolution: clock(r), slaFirstResponse, slaResolution,
    slaCompliance: rate(slaFirstResponse.met + slaResolution.met, slaFirstResponse.ended + slaResolution.ended)
  }
}

const byKey = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1)

function keysOf(found: Found, dim: DimRow['dim']): (string | null)[] {
  const keys = new Set<string | null>()
  for (const list of Object.values(found) as DimRow[][]) for (const r of list) if (r.dim === dim) keys.add(r.key)
  return [...keys].sort(byKey)
}

async function backlogOf(ctx: ReportContext): Promise<ServiceSatisfactionResult['backlog']> {
  const current = ctx.period.to.getTime() >= ctx.now.getTime()
  const asOf = current ? ctx.now : ctx.period.to
  const found = await backlogRows(ctx, asOf, current)
  const sum = (pred: (r: { status: string; age: string }) => boolean) => found.filter(pred).reduce((s, r) => s + n(r.count), 0)
  return {
    asOf,
    total: sum(() => true),
    byStatus: BACKLOG_STATUSES.map((status) => ({ status, count: sum((r) => r.status === status) })),
    byAge: AGE_BUCKETS.map((b) => ({ key: b.key, minDays: b.minDays, maxDays: b.maxDays, count: sum((r) => r.age === b.key) }))
  }
}

async function run(ctx: ReportContext): Promise<ServiceSatisfactionResult> {
  const found = await fetchFigures(ctx, ctx.period, true)
  const previous = ctx.period.previous ? figuresOf(await fetchFigures(ctx, ctx.period.previous, false), 'total', null) : null
  const agentKeys = keysOf(found, 'agent'); const categoryKeys = keysOf(found, 'category')
  const names = await labels(ctx, agentKeys.filter((k): k is string => k !== null), categoryKeys.filter((k): k is string => k !== null))
  const groups = (dim: DimRow['dim'], keys: (string | null)[], label: (k: string | null) => string | null) =>
    keys.map((key) => ({ key, label: label(key), figures: figuresOf(found, dim, key) }))
  return {
    period: periodView(ctx.period),
    totals: figuresOf(found, 'total', null),
    buckets: ctx.period.buckets().map((b) => ({ key: b.key, label: b.key, figures: figuresOf(found, 'bucket', b.key) })),
    byAgent: groups('agent', agentKeys, (k) => (k === null ? null : names.agents.get(k) ?? null)),
    byCategory: groups('category', categoryKeys, (k) => (k === null ? null : names.categories.get(k) ?? k)),
    byChannel: groups('channel', keysOf(found, 'channel'), (k) => k),
    previous,
    backlog: await backlogOf(ctx)
  }
}

const FIGURE_COLUMNS = [
  'invitationsSent', 'invitationsAnswered', 'responseRate', 'responses', 'csatAnswers', 'csatSatisfied', 'csat',
  'npsAnswers', 'promoters', 'passives', 'detractors', 'nps', 'ticketsCreated', 'ticketsResolved',
  'firstResponseCount', 'firstResponseMedianMinutes', 'firstResponseP90Minutes',
  'resolutionCount', 'resolutionMedianMinutes', 'resolutionP90Minutes',
  'slaFirstResponseEnded', 'slaFirstResponseMet', 'slaFirstResponseCompliance',
  'slaResolutionEnded', 'slaResolutionMet', 'slaResolutionCompliance', 'slaCompliance'
]

const figureCells = (f: ServiceFigures) => [
  f.invitationsSent, f.invitationsAnswered, f.responseRate, f.responses, f.csatAnswers, f.csatSatisfied, f.csat,
  f.npsAnswers, f.promoters, f.passives, f.detractors, f.nps, f.ticketsCreated, f.ticketsResolved,
  f.firstResponse.count, f.firstResponse.medianMinutes, f.firstResponse.p90Minutes,
  f.resolution.count, f.resolution.medianMinutes, f.resolution.p90Minutes,
  f.slaFirstResponse.ended, f.slaFirstResponse.met, f.slaFirstResponse.compliance,
  f.slaResolution.ended, f.slaResolution.met, f.slaResolution.compliance, f.slaCompliance
]

/**
 * One row per figure set: `total`, each `bucket`, `agent`, `category`, `channel`, then
 * `previous` (with compare); the backlog after them as `backlog_status` and `backlog_age`
 * rows whose only figure is `count`.
 */
function csv(result: ServiceSatisfactionResult): CsvTable {
  const blank = FIGURE_COLUMNS.map(() => null)
  const group = (section: string) => (g: ServiceGroup) => [section, g.key, g.label, ...figureCells(g.figures), null]
  return {
    columns: ['section', 'key', 'label', ...FIGURE_COLUMNS, 'count'],
    rows: [
      ['total', null, null, ...figureCells(result.totals), null],
      ...result.buckets.map(group('bucket')),
      ...result.byAgent.map(group('agent')),
      ...result.byCategory.map(group('category')),
      ...result.byChannel.map(group('channel')),
      ...(result.previous ? [['previous', null, null, ...figureCells(result.previous), null]] : []),
      ...result.backlog.byStatus.map((s) => ['backlog_status', s.status, s.status, ...blank, s.count]),
      ...result.backlog.byAge.map((a) => ['backlog_age', a.key, a.key, ...blank, a.count])
    ]
  }
}

/** Service and satisfaction (docs/analytics.md, "Service and satisfaction"). */
export const serviceSatisfactionReport: ReportDefinition<ReturnType<typeof Type.Object>, Record<string, never>, ServiceSatisfactionResult> = {
  name: 'service-satisfaction',
  summary: 'CSAT, NPS and survey response rate; ticket first-response and resolution times (business minutes, median and p90), SLA compliance; by bucket, agent, category and channel; backlog by status and age',
  query: Type.Object({}),
  response: ServiceSatisfactionView,
  fromQuery: () => ({}),
  run,
  csv
}
