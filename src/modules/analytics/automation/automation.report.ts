import { Type } from '@sinclair/typebox'
import { invalid } from '../../../errors.js'
import { Uuid } from '../../common/schemas.js'
import { isUuid } from '../../common/validate.js'
import type { ReportContext, ReportDefinition } from '../analytics.report.js'
import { periodView, rate } from '../analytics.views.js'
import { automationCsv } from './automation.csv.js'
import { channelRows, conversionRows, enrollmentRows, journeyMessageRows, journeyRows, stepRunRows, type CountRow } from './automation.sql.js'
import {
  AutomationReportView, type ChannelFigures, type Conversions, type JourneyFigures, type MessageCounts, type StepOutcomes
} from './automation.views.js'

export type AutomationArgs = { journeyId: string | null; conversionDays: number }
export type AutomationReport = { period: ReturnType<typeof periodView>; journeys: JourneyFigures[]; channels: ChannelFigures[] }

export const MAX_CONVERSION_DAYS = 365
const n = (v: unknown): number => Number(v ?? 0)
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))

const outcomesOf = (r: CountRow | undefined): StepOutcomes => ({
  ran: n(r?.ran), completed: n(r?.completed), skipped: n(r?.skipped), held: n(r?.held), capped: n(r?.capped), blocked: n(r?.blocked), failed: n(r?.failed)
})
const messagesOf = (r: CountRow | undefined): MessageCounts => ({
  total: n(r?.total), queued: n(r?.queued), held: n(r?.held), sent: n(r?.sent), failed: n(r?.failed), capped: n(r?.capped), blocked: n(r?.blocked), dropped: n(r?.dropped)
})

function conversionsOf(list: CountRow[], entered: number, days: number): Conversions {
  const orders = list.filter((r) => r.kind === 'orders')
  const orderConversions = n(list.find((r) => r.kind === 'order_enrollments')?.enrollments)
  const referrals = list.find((r) => r.kind === 'referrals')
  return {
    windowDays: days,
    orderConversions,
    orderConversionRate: rate(orderConversions, entered),
    orders: orders.reduce((s, r) => s + n(r.n), 0),
    revenue: orders.map((r) => ({ amount: n(r.amount), currency: String(r.currency) })).sort((a, b) => a.currency.localeCompare(b.currency)),
    referralConversions: n(referrals?.enrollments),
    referrals: n(referrals?.n)
  }
}

async function run(ctx: ReportContext, { journeyId, conversionDays }: AutomationArgs): Promise<AutomationReport> {
  if (journeyId !== null && !isUuid(journeyId)) throw invalid('journeyId', 'must be a journey id (UUID)', 'INVALID_ID')
  if (!Number.isInteger(conversionDays) || conversionDays < 1 || conversionDays > MAX_CONVERSION_DAYS) {
    throw invalid('conversionDays', `must be a whole number of days from 1 to ${MAX_CONVERSION_DAYS}`, 'INVALID_WINDOW')
  }
  // One statement at a time: PGlite has a single connection.
  const enrollments = await enrollmentRows(ctx, journeyId)
  const runs = await stepRunRows(ctx, journeyId)
  const messages = await journeyMessageRows(ctx, journeyId)
  const conversions = await conversionRows(ctx, journeyId, conversionDays)
  const ids = new Set<string>([...enrollments, ...runs, ...messages].map((r) => String(r.journey_id)))
  if (journeyId) ids.add(journeyId)
  const named = await journeyRows(ctx, [...ids])
  const journeys = named.map((j): JourneyFigures => {
    const id = String(j.id)
    const e = enrollments.find((r) => r.journey_id === id)
    const mine = <T extends CountRow>(list: T[]) => list.filter((r) => r.journey_id === id)
    const stepKeys = [...new Set([...mine(runs), ...mine(messages)].map((r) => r.step_key).filter((k): k is string => typeof k === 'string'))].sort()
    return {
      journeyId: id, name: String(j.name), status: String(j.status),
      entered: n(e?.entered), active: n(e?.active), completed: n(e?.completed), exited: n(e?.exited), failed: n(e?.failed),
      outcomes: outcomesOf(mine(runs).find((r) => r.step_key === null)),
      messages: messagesOf(mine(messages).find((r) => r.step_key === null)),
      conversions: conversionsOf(mine(conversions), n(e?.entered), conversionDays),
      steps: stepKeys.map((key) => {
        const stepRun = mine(runs).find((r) => r.step_key === key)
        return {
          stepKey: key, stepType: String(stepRun?.step_type ?? 'message'),
          outcomes: outcomesOf(stepRun), messages: messagesOf(mine(messages).find((r) => r.step_key === key))
        }
      })
    }
  })
  const channels = (await channelRows(ctx)).map((r): ChannelFigures => ({
    channelId: (r.channel_id as string | null) ?? null, name: (r.name as string | null) ?? null, kind: String(r.kind),
    messages: messagesOf(r), attempts: n(r.attempts), failedAttempts: n(r.failed_attempts),
    latency: { count: n(r.attempts), averageMs: numOrNull(r.average_ms), medianMs: numOrNull(r.median_ms), p95Ms: numOrNull(r.p95_ms) }
  }))
  return { period: periodView(ctx.period), journeys, channels }
}

const AutomationQuery = Type.Object({
  journeyId: Type.Optional(Uuid),
  conversionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONVERSION_DAYS, default: 14 }))
})

/** Journeys' and channels' numbers (docs/automation.md, "Numbers"). */
export const automationReport: ReportDefinition<typeof AutomationQuery, AutomationArgs, AutomationReport> = {
  name: 'automation',
  summary: 'Per journey and step: entered, step outcomes (completed, skipped, held, capped, blocked, failed), messages by status, and the orders and referrals that followed within conversionDays; per channel: messages by status, attempts and latency',
  query: AutomationQuery,
  response: AutomationReportView,
  fromQuery: (q) => ({ journeyId: q.journeyId ?? null, conversionDays: q.conversionDays ?? 14 }),
  run,
  csv: automationCsv
}
