/**
 * Lead assignment policy (线索分配): who gets a new lead, and why. Pure: the caller loads
 * the rules, the staff and the rotation positions; the same facts always give the same
 * decision, which explains itself (which rule matched, why the others did not).
 *
 *   1. the first active rule, by priority (smaller first) then age, whose conditions all
 *      match: its user, or the next user in its team's rotation;
 *   2. else the referrer's relationship owner;
 *   3. else round-robin in the fallback team (the submitting user's team, else the
 *      referrer owner's team);
 *   4. else round-robin over every active sales user (the global rotation);
 *   5. else nobody: the lead waits in the pool.
 *
 * Only active users with a role that may own leads are chosen; rotations take sales reps only.
 */
export type LeadFacts = { source: string; industry: string | null; region: string | null; campaignId: string | null }

export type AssignmentRule = {
  id: string
  name: string
  priority: number
  active: boolean
  /** Conditions: an empty list matches anything; values compare trimmed and case-insensitively. */
  sources: readonly string[]
  industries: readonly string[]
  regions: readonly string[]
  campaignIds: readonly string[]
  /** Exactly one target: a user, or a team to rotate through. */
  assigneeId: string | null
  teamId: string | null
}

export type StaffUser = { id: string; role: string; active: boolean; teamId: string | null }

export type AssignmentContext = {
  rules: readonly AssignmentRule[]
  /** The staff who might be chosen (others are treated as unknown, so never chosen). */
  users: readonly StaffUser[]
  referrerOwnerId: string | null
  /** The submitting user's team, if any. */
  fallbackTeamId: string | null
  /** Rotation key (team id, or GLOBAL_ROTATION) → the last user it gave a lead to. */
  rotations: Readonly<Record<string, string | null>>
}

export type AssignmentVia = 'rule' | 'referrer_owner' | 'round_robin' | 'unassigned'

export type RuleVerdict = { ruleId: string; name: string; matched: boolean; why: string }

export type AssignmentDecision = {
  ownerId: string | null
  /** The team rotated within (round-robin, or a rule with a team target). */
  teamId?: string
  via: AssignmentVia
  ruleId?: string
  ruleName?: string
  /** The rotation that moved: the caller stores `ownerId` as its new position. */
  rotation?: string
  /** The history reason: `rule:<name>`, `referrer_owner`, `round_robin:team`, `round_robin:global`, `unassigned`. */
  reason: string
  explanation: string
  rules: RuleVerdict[]
}

export const GLOBAL_ROTATION = '*'
/** Roles that may own a lead when named directly (a rule's user, the referrer's owner). */
export const leadOwnerRoles: ReadonlySet<string> = new Set(['sales', 'manager', 'admin'])
/** Roles a rotation hands leads to. */
export const rotationRoles: ReadonlySet<string> = new Set(['sales'])

export const canOwnLeads = (u: StaffUser): boolean => u.active && leadOwnerRoles.has(u.role)
const inRotation = (u: StaffUser) => u.active && rotationRoles.has(u.role)

const norm = (v: string) => v.trim().toLowerCase()
const byPriority = (a: AssignmentRule, b: AssignmentRule) => a.priority - b.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Why the rule does not match these facts, or null when it does. */
export function ruleMismatch(rule: AssignmentRule, facts: LeadFacts): string | null {
  const text = (name: string, wanted: readonly string[], value: string | null) => {
    if (wanted.length === 0) return null
    if (value !== null && wanted.some((w) => norm(w) === norm(value))) return null
    return `${name} ${value === null ? 'is not set' : `"${value}" is not`} in [${wanted.join(', ')}]`
  }
  if (!rule.active) return 'the rule is inactive'
  return text('source', rule.sources, facts.source) ?? text('industry', rule.industries, facts.industry)
    ?? text('region', rule.regions, facts.region)
    ?? (rule.campaignIds.length > 0 && (facts.campaignId === null || !rule.campaignIds.includes(facts.campaignId))
      ? `campaign ${facts.campaignId ?? 'is not set and'} is not one of the rule's ${rule.campaignIds.length}` : null)
}

/** Rotation order: by id (UUIDv7, so by age); the next after `last`, wrapping round. */
export function nextInRotation(memberIds: readonly string[], last: string | null): string | null {
  if (memberIds.length === 0) return null
  const sorted = [...memberIds].sort()
  return (last === null ? undefined : sorted.find((id) => id > last)) ?? sorted[0]
}

/** Decides who gets the lead. */
export function decideAssignment(facts: LeadFacts, ctx: AssignmentContext): AssignmentDecision {
  const users = new Map(ctx.users.map((u) => [u.id, u]))
  const verdicts: RuleVerdict[] = []
  const rotate = (key: string, members: StaffUser[]) => nextInRotation(members.map((m) => m.id), ctx.rotations[key] ?? null)
  const teamMembers = (teamId: string) => ctx.users.filter((u) => u.teamId === teamId && inRotation(u))
  const done = (d: Omit<AssignmentDecision, 'rules'>): AssignmentDecision => ({ ...d, rules: verdicts })

  for (const rule of [...ctx.rules].sort(byPriority)) {
    const miss = ruleMismatch(rule, facts)
    if (miss) { verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: miss }); continue }
    if (rule.assigneeId) {
      const user = users.get(rule.assigneeId)
      if (user && canOwnLeads(user)) {
        verdicts.push({ ruleId: rule.id, name: rule.name, matched: true, why: 'all conditions match' })
        return done({ ownerId: user.id, via: 'rule', ruleId: rule.id, ruleName: rule.name, reason: `rule:${rule.name}`, explanation: `rule "${rule.name}" matched: its user` })
      }
      verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: 'matched, but its user is inactive or may not own leads' })
      continue
    }
    if (rule.teamId) {
      const next = rotate(rule.teamId, teamMembers(rule.teamId))
      if (next) {
        verdicts.push({ ruleId: rule.id, name: rule.name, matched: true, why: 'all conditions match' })
        return done({
          ownerId: next, teamId: rule.teamId, via: 'rule', ruleId: rule.id, ruleName: rule.name, rotation: rule.teamId,
          reason: `rule:${rule.name}`, explanation: `rule "${rule.name}" matched: next in its team's rotation`
        })
      }
      verdicts.push({ ruleId: rule.id, name: rule.name, matched: false, why: 'matched, but its team has no active sales rep' })
    }
  }
  const noRule = verdicts.length === 0 ? 'no active rule' : 'no rule matched'

  const owner = ctx.referrerOwnerId === null ? undefined : users.get(ctx.referrerOwnerId)
  if (owner && canOwnLeads(owner)) {
    return done({ ownerId: owner.id, via: 'referrer_owner', reason: 'referrer_owner', explanation: `${noRule}: the referrer's relationship owner` })
  }
  const ownerNote = ctx.referrerOwnerId === null ? 'the referrer has no relationship owner' : "the referrer's owner is inactive or may not own leads"

  const fallbackTeam = ctx.fallbackTeamId ?? owner?.teamId ?? null
  if (fallbackTeam) {
    const next = rotate(fallbackTeam, teamMembers(fallbackTeam))
    if (next) {
      return done({
        ownerId: next, teamId: fallbackTeam, via: 'round_robin', rotation: fallbackTeam, reason: 'round_robin:team',
        explanation: `${noRule}; ${ownerNote}: next in the ${ctx.fallbackTeamId ? "submitter's" : "referrer owner's"} team rotation`
      })
    }
  }
  const next = rotate(GLOBAL_ROTATION, ctx.users.filter(inRotation))
  if (next) {
    return done({
      ownerId: next, via: 'round_robin', rotation: GLOBAL_ROTATION, reason: 'round_robin:global',
      explanation: `${noRule}; ${ownerNote}; ${fallbackTeam ? 'the fallback team has no active sales rep' : 'no team to fall back on'}: next in the rotation over every active sales rep`
    })
  }
  return done({ ownerId: null, via: 'unassigned', reason: 'unassigned', explanation: `${noRule}; ${ownerNote}; no active sales rep: the lead waits in the pool` })
}
