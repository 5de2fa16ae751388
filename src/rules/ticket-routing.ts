import { GLOBAL_ROTATION, nextInRotation, type RuleVerdict, type StaffUser } from './lead-assignment.js'

/**
 * Ticket routing policy (工单分派): who works a new ticket, in which queue, and why. Pure,
 * like lead assignment (src/rules/lead-assignment.ts, whose rotation order it shares): the
 * caller loads the rules, the staff and the rotation positions.
 *
 *   1. the first active rule, by priority (smaller first) then age, whose conditions all
 *      match: its user (an active service agent or manager), or its queue (a team): the
 *      ticket joins the queue and goes to the next active service agent of the team; a
 *      queue with nobody to take it still holds the ticket (it waits there, unassigned);
 *   2. else round-robin over every active service agent (the `ticket:*` rotation);
 *   3. else nobody: the ticket is unassigned and in no queue.
 *
 * Rotations are keyed `ticket:<teamId>` and `ticket:*`, so a team that takes both leads
 * and tickets keeps two positions that never move each other.
 */
export type TicketFacts = { category: string; priority: string; channel: string; customerTier: string | null }

export type TicketRoutingRule = {
  id: string
  name: string
  priority: number
  active: boolean
  /** Conditions: an empty list matches anything; values compare trimmed and case-insensitively. */
  categories: readonly string[]
  priorities: readonly string[]
  channels: readonly string[]
  customerTiers: readonly string[]
  /** Exactly one target: a user, or a queue (team). */
  assigneeId: string | null
  queueTeamId: string | null
}

export type TicketRoutingContext = {
  rules: readonly TicketRoutingRule[]
  /** The staff who might be chosen (anyone else is unknown, so never chosen). */
  users: readonly StaffUser[]
  /** Rotation key (ticketRotation(team) or ticketRotation(null)) → the last user it gave a ticket to. */
  rotations: Readonly<Record<string, string | null>>
}

export type TicketRoutingVia = 'rule' | 'round_robin' | 'unassigned'

export type TicketRoutingDecision = {
  assigneeId: string | null
  /** The queue the ticket joins (a queue rule's team), or null. */
  queueTeamId: string | null
  via: TicketRoutingVia
  ruleId: string | null
  ruleName: string | null
  /** The rotation that moved: the caller stores `assigneeId` as its new position. */
  rotation: string | null
  /** What the ticket records as routedVia: `rule:<name>`, `round_robin:global` or `unassigned`. */
  reason: string
  explanation: string
  rules: RuleVerdict[]
}

/** Roles a rule may name directly: service agents, and managers who take escalations themselves. */
export const ticketAgentRoles: ReadonlySet<string> = new Set(['service', 'manager'])
/** Roles a queue's rotation (and the global one) hands tickets to. */
export const ticketRotationRoles: ReadonlySet<string> = new Set(['service'])

/** The team_rotations key of a queue, or of the global rotation (null). */
export const ticketRotation = (teamId: string | null): string => `ticket:${teamId ?? GLOBAL_ROTATION}`

export const canWorkTickets = (u: StaffUser): boolean => u.active && ticketAgentRoles.has(u.role)
const inRotation = (u: StaffUser) => u.active && ticketRotationRoles.has(u.role)

const norm = (v: string) => v.trim().toLowerCase()
const byPriority = (a: TicketRoutingRule, b: TicketRoutingRule) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Why the rule does not match these facts, or null when it does. */
export function ticketRuleMismatch(rule: TicketRoutingRule, facts: TicketFacts): string | null {
  const cond = (name: string, wanted: readonly string[], value: string | null) => {
    if (wanted.length === 0) return null
    if (value !== null && wanted.some((w) => norm(w) === norm(value))) return null
    return `${name} ${value === null ? 'is not set' : `"${value}" is not`} in [${wanted.join(', ')}]`
  }
  if (!rule.active) return 'the rule is inactive'
  return cond('category', rule.categories, facts.category) ?? cond('priority', rule.priorities, facts.priority)
    ?? cond('channel', rule.channels, facts.channel) ?? cond('customer tier', rule.customerTiers, facts.customerTier)
}

/** Decides who works the ticket and in which queue. */
export function decideTicketRouting(facts: TicketFacts, ctx: TicketRoutingContext): TicketRoutingDecision {
  const users = new Map(ctx.users.map((u) => [u.id, u]))
  const verdicts: RuleVerdict[] = []
  const done = (d: Omit<TicketRoutingDecision, 'rules'>): TicketRoutingDecision => ({ ...d, rules: verdicts })
  const rotate = (key: string, members: StaffUser[]) => nextInRotation(members.map((m) => m.id), ctx.rotations[key] ?? null)

  for (const rule of [...ctx.rules].sort(byPriority)) {
    const miss = ticketRuleMismatch(rule, facts)
    if (miss) { verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: miss }); continue }
    const matched = { via: 'rule' as const, ruleId: rule.id, ruleName: rule.name, reason: `rule:${rule.name}` }
    if (rule.assigneeId) {
      const user = users.get(rule.assigneeId)
      if (user && canWorkTickets(user)) {
        verdicts.push({ ruleId: rule.id, name: rule.name, matched: true, why: 'all conditions match' })
        return done({ ...matched, assigneeId: user.id, queueTeamId: null, rotation: null, explanation: `rule "${rule.name}" matched: its user` })
      }
      verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: 'matched, but its user is inactive or may not work tickets' })
      continue
    }
    if (rule.queueTeamId) {
      const key = ticketRotation(rule.queueTeamId)
      const next = rotate(key, ctx.users.filter((u) => u.teamId === rule.queueTeamId && inRotation(u)))
      verdicts.push({ ruleId: rule.id, name: rule.name, matched: true, why: 'all conditions match' })
      return done({
        ...matched, assigneeId: next, queueTeamId: rule.queueTeamId, rotation: next ? key : null,
        explanation: next
          ? `rule "${rule.name}" matched: its queue, next agent in the queue's rotation`
          : `rule "${rule.name}" matched: its queue has no active service agent, so the ticket waits in the queue`
      })
    }
    verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: 'matched, but it has no target' })
  }
  const noRule = verdicts.length === 0 ? 'no active rule' : 'no rule matched'
  const key = ticketRotation(null)
  const next = rotate(key, ctx.users.filter(inRotation))
  if (next) {
    return done({
      assigneeId: next, queueTeamId: null, via: 'round_robin', ruleId: null, ruleName: null, rotation: key, reason: 'round_robin:global',
      explanation: `${noRule}: next in the rotation over every active service agent`
    })
  }
  return done({
    assigneeId: null, queueTeamId: null, via: 'unassigned', ruleId: null, ruleName: null, rotation: null, reason: 'unassigned',
    explanation: `${noRule}; no active service agent: the ticket is unassigned`
  })
}
