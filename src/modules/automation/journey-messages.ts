import { MessageGateService } from '../notifications/message-gate.service.js'
import type { ServiceDeps } from '../service-deps.js'

/**
 * The message step's way to a customer: the guardrails gate (src/modules/notifications/
 * message-gate.service.ts, docs/guardrails.md) decides consent, frequency caps and quiet
 * hours and enqueues the message inside the step's own transaction. This file is the one
 * place the journeys engine meets it.
 */

export type { CustomerMessageRequest, GateOutcome } from '../notifications/message-gate.service.js'
export type MessageGate = Pick<MessageGateService, 'enqueueCustomerMessages'>

/** One gate per set of service deps: the same instance `services.messageGate` is built from (the gate keeps no state but its deps). */
const gates = new WeakMap<ServiceDeps, MessageGateService>()

/** The gate the engine sends through: the MessageGateService over the engine's own deps. */
export function messageGateOf(deps: ServiceDeps): MessageGate {
  let gate = gates.get(deps)
  if (!gate) {
    gate = new MessageGateService(deps)
    gates.set(deps, gate)
  }
  return gate
}
