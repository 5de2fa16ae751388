import type { Executor } from '../../../db/client.js'
import { invalid } from '../../../errors.js'
import { decideTicketRouting, type TicketFacts, type TicketRoutingDecision } from '../../../rules/ticket-routing.js'
import { routingRepository } from '../../routing/routing.repository.js'
import { ticketRoutingRepository as repo } from './ticket-routing.repository.js'

/** Where a new ticket goes, as the ticket row stores it (routedVia is `via`). */
export type TicketRoute = { assigneeId: string | null; queueTeamId: string | null; via: string; explanation: string; ruleId: string | null }

/**
 * Routes a new ticket inside the caller's transaction (the ticket's create). A rotation
 * decision locks its team_rotations row first, so concurrent tickets in one queue take
 * turns, then stores the new position. Same double decision as routeLead: which rotation
 * is taken depends only on who is eligible, never on the position.
 */
export async function routeTicket(tx: Executor, facts: TicketFacts): Promise<TicketRoute> {
  const { rules, staff } = await repo.facts(tx)
  const ctx = { rules, users: staff, rotations: {} }
  let decision = decideTicketRouting(facts, ctx)
  if (decision.rotation) {
    const last = await routingRepository.lockRotation(tx, decision.rotation)
    decision = decideTicketRouting(facts, { ...ctx, rotations: { [decision.rotation]: last } })
    if (decision.rotation && decision.assigneeId) await routingRepository.setRotation(tx, decision.rotation, decision.assigneeId)
  }
  return { assigneeId: decision.assigneeId, queueTeamId: decision.queueTeamId, via: decision.reason, explanation: decision.explanation, ruleId: decision.ruleId }
}

/** The decision routeTicket would make now, with every rule's verdict; locks and writes nothing. */
export async function previewTicketRoute(ex: Executor, facts: TicketFacts): Promise<TicketRoutingDecision> {
  const { rules, staff } = await repo.facts(ex)
  return decideTicketRouting(facts, { rules, users: staff, rotations: await routingRepository.rotations(ex) })
}

/** A new or re-categorised ticket's category must be a live, active key: else a userError on `category` naming the allowed keys. */
export async function assertActiveCategory(ex: Executor, key: string): Promise<void> {
  const keys = await repo.activeCategoryKeys(ex)
  if (!keys.includes(key)) throw invalid('category', `is not an active ticket category (allowed: ${keys.join(', ')})`, 'UNKNOWN_CATEGORY')
}
