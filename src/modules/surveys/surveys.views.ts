import { classifyScore, scales } from '../../rules/survey-score.js'
import type { SurveyRow } from './surveys.repository.js'
import type { surveyResponses } from '../../db/schema/surveys.js'

export type SurveyResponseRow = typeof surveyResponses.$inferSelect

/** A survey as the API shows it: its columns and the scale its answers take. */
export function surveyView(row: SurveyRow) {
  const { deletedAt: _d, ...rest } = row
  return { ...rest, scale: scales[row.kind] }
}
export type Survey = ReturnType<typeof surveyView>

/** Which trigger an answer (or invitation) came from, by the source it links. */
export function triggerOf(row: { ticketId: string | null; orderId: string | null; referralId: string | null }): 'ticket_resolved' | 'order_paid' | 'referral_converted' {
  return row.ticketId ? 'ticket_resolved' : row.orderId ? 'order_paid' : 'referral_converted'
}

/** An answer as the API shows it, with its category and trigger spelled out. */
export function responseView(row: SurveyResponseRow) {
  return { ...row, category: classifyScore(row.kind, row.score), trigger: triggerOf(row) }
}
export type SurveyResponse = ReturnType<typeof responseView>
