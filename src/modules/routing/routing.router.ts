import type { Executor } from '../../db/client.js'
import { decideAssignment, type AssignmentContext, type AssignmentDecision, type AssignmentRule, type LeadFacts } from '../../rules/lead-assignment.js'
import { policyFor, type FollowUpPolicy } from '../../rules/follow-up.js'
import { routingFacts, type RoutingFacts } from './routing.facts.js'
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

function context({ rules, staff, owner }: RoutingFacts, req: RoutingRequest): AssignmentContext {
  const users = owner && !staff.some((u) => u.id === owner.id) ? [...staff, owner] : staff
  return { rules, users, referrerOwnerId: owner?.id ?? null, fallbackTeamId: req.fallbackTeamId, rotations: {} }
}

const factsOf = (req: RoutingRequest): LeadFacts =>
  ({ source: req.source, industry: req.industry, region: req.region, campaignId: req.campaignId })

/**
 * Decides who gets a new lead, inside the caller's transaction. A round-robin decision
 * locks its rotation row first, so concurrent leads in one rotation take turns, and
 * stores the new position.
 */
export async function routeLead(ex: Executor, req: RoutingRequest): Promise<AssignmentDecision> {
  return (await routeNewLead(ex, req)).decision
}

/**
 * routeLead, with the follow-up policy of the lead's source, read in the same statement (a
 * new lead needs both). `read`: the facts for this referrer and source, already read in
 * this transaction by a caller that folded them into one of its own statements.
 */
export async function routeNewLead(
  ex: Executor, req: RoutingRequest, read?: RoutingFacts
): Promise<{ decision: AssignmentDecision; policy: FollowUpPolicy }> {
  const facts = read ?? await routingFacts(ex, req.referrerId, req.source)
  const policy = policyFor(req.source, facts.policies)
  const ctx = context(facts, req)
  const first = decideAssignment(factsOf(req), ctx)
  if (!first.rotation) return { decision: first, policy }
  // The rotation taken depends only on who is eligible, never on the position: re-deciding
  // with the locked position follows the same path and only picks the next member.
  const last = await repo.lockRotation(ex, first.rotation)
  const decision = decideAssignment(factsOf(req), { ...ctx, rotations: { [first.rotation]: last } })
  if (decision.rotation && decision.ownerId) await repo.setRotation(ex, decision.rotation, decision.ownerId)
  return { decision, policy }
}

/** The same decision without writing or locking anything (previewLeadAssignment). */
export async function previewRoute(ex: Executor, req: RoutingRequest): Promise<AssignmentDecision> {
  const ctx = context(await routingFacts(ex, req.referrerId, req.source), req)
  return decideAssignment(factsOf(req), { ...ctx, rotations: await repo.rotations(ex) })
}

/** The follow-up policy that applies to a lead source. */
export async function followUpPolicyFor(ex: Executor, source: string): Promise<FollowUpPolicy> {
  return policyFor(source, await repo.policiesFor(ex, source))
}
