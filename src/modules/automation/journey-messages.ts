import type { Executor } from '../../db/client.js'
import type { ServiceDeps } from '../service-deps.js'

/**
 * The message step's way to a customer: the guardrails gate (src/modules/notifications/
 * message-gate.service.ts, docs/guardrails.md) decides consent, frequency caps and quiet
 * hours and enqueues the message inside the step's own transaction. This file is the one
 * place the journeys engine meets it.
 */

export type CustomerMessageRequest = {
  customerId: string; templateId: string; channelId?: string | null
  context?: Record<string, string>; dedupeKey: string
  journey?: { journeyId: string; version: number; enrollmentId: string; stepKey: string }
}
export type GateOutcome = {
  dedupeKey: string; customerId: string; messageId: string | null
  status: 'queued' | 'held' | 'capped' | 'blocked' | 'duplicate'; reason: string | null
}
export type MessageGate = { enqueueCustomerMessages(ex: Executor, requests: CustomerMessageRequest[], now: Date): Promise<GateOutcome[]> }

/** The gate the engine sends through; null until the guardrails area is part of the build (message steps then fail with `message_gate_unavailable`). */
export function messageGateOf(_deps: ServiceDeps): MessageGate | null {
  return null
}
