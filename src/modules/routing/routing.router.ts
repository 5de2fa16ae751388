import type { Executor } from '../../db/client.js'
import { decideAssignment, type AssignmentContext, type AssignmentDecision, type AssignmentRule, type LeadFacts } from '../../rules/lead-assignment.js'
import { policyFor, type FollowUpPolicy } from '../../rules/follow-up.js'
import { routingRepository as repo, type AssignmentRuleRow } from './routing.repository.js'

/** What routing needs to know about a lead beyond its facts. */
export type RoutingRequest = LeadFacts & {
  referrerId: string | null
  /** The submitting user's team: round-robin falls back to it. */
  fallbackTeamId: string | null
}

export const toAssignmentRule = (r: AssignmentRuleRow): AssignmentRule => ({
  id: r.id, name: r.name, priority: r.priority, active: r.active, sources: r.sources, industries: r.industries,
  regions: r.regions, campaignIds: r.campaignIds, assigneeId: r.assigneeId, teamId: r.teamId
})

async function context(ex: Executor, req: RoutingRequest): Promise<AssignmentContext> {
  const rules = await repo.rules(ex, true)
  const users = await repo.staff(ex)
  const owner = req.referrerId ? await repo.referrerOwner(ex, req.referrerId) : null
  if (owner && !users.some((u) => u.id === owner.id)) users.push(owner)
  return { rules: rules.map(toAssignmentRule), users, referrerOwnerId: owner?.id ?? null, fallbackTeamId: req.fallbackTeamId, rotations: {} }
}

const factsOf = (req: RoutingRequest): LeadFacts =>
  ({ source: req.source, industry: req.industry, region: req.region, campaignId: req.campaignId })

/**
 * Decides who gets a new lead, inside the caller's transaction. A round-robin decision
 * locks its rotation row first, so concurrent leads in one rotation take turns, and
 * stores the new position.
 */
export async function routeLead(ex: Executor, req: RoutingRequest): Promise<AssignmentDecision> {
  const ctx = await context(ex, req)
  const first = decideAssignment(factsOf(req), ctx)
  if (!first.rotation) return first
  // The rotation taken depends only on who is eligible, never on the position: re-deciding
  // with the locked position follows the same path and only picks the next member.
  const last = await repo.lockRotation(ex, first.rotation)
  const decision = decideAssignment(factsOf(req), { ...ctx, rotations: { [first.rotation]: last } })
  if (decision.rotation && decision.ownerId) await repo.setRotation(ex, decision.rotation, decision.ownerId)
  return decision
}

/** The same decision without writing or locking anything (previewLeadAssignment). */
export async function previewRoute(ex: Executor, req: RoutingRequest): Promise<AssignmentDecision> {
  const ctx = await context(ex, req)
  return decideAssignment(factsOf(req), { ...ctx, rotations: await repo.rotations(ex) })
}

/** The follow-up policy that applies to a lead source. */
export async function followUpPolicyFor(ex: Executor, source: string): Promise<FollowUpPolicy> {
  return policyFor(source, await repo.policiesFor(ex, source))
}
