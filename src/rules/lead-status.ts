/**
 * Lead status policy (线索状态): which moves are allowed, and why a move is refused.
 * Pure: no clock, no I/O; the same request always gets the same decision.
 *
 *   new → contacted | qualified | disqualified | dormant
 *   contacted → qualified | disqualified | dormant
 *   qualified → converted (only by conversion) | disqualified | dormant
 *   dormant → contacted | new          (woken up)
 *   disqualified → new                 (reopened)
 *   converted → nothing                (final: an opportunity/customer now carries it)
 */
export const leadStatuses = ['new', 'contacted', 'qualified', 'converted', 'disqualified', 'dormant'] as const
export type LeadStatus = (typeof leadStatuses)[number]

export const leadTransitions: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  new: ['contacted', 'qualified', 'disqualified', 'dormant'],
  contacted: ['qualified', 'disqualified', 'dormant'],
  qualified: ['converted', 'disqualified', 'dormant'],
  converted: [],
  disqualified: ['new'],
  dormant: ['contacted', 'new']
}

/** Statuses a move into needs a reason for (kept in statusReason and the history). */
export const reasonRequired: ReadonlySet<LeadStatus> = new Set(['disqualified'])

/** Moving into these means someone has spoken to the lead: the first-contact time is set then. */
export const marksFirstContact: ReadonlySet<LeadStatus> = new Set(['contacted', 'qualified'])

/** How the move is asked for: a plain status change, or the conversion action. */
export type TransitionVia = 'status_update' | 'conversion'

export type TransitionRequest = { from: LeadStatus; to: LeadStatus; via: TransitionVia; reason?: string | null }

export type TransitionCode = 'UNCHANGED' | 'FINAL' | 'NOT_IN_TABLE' | 'CONVERSION_ONLY' | 'NOT_A_CONVERSION' | 'REASON_REQUIRED'

export type TransitionDecision =
  | { allowed: true; reason: string }
  | { allowed: false; code: TransitionCode; reason: string }

/** Decides one move and says which rule decided it. */
export function decideLeadTransition(req: TransitionRequest): TransitionDecision {
  const { from, to, via } = req
  if (from === to) return refuse('UNCHANGED', `the lead is already ${to}`)
  if (leadTransitions[from].length === 0) return refuse('FINAL', `${from} is final: no status follows it`)
  if (!leadTransitions[from].includes(to)) {
    return refuse('NOT_IN_TABLE', `${from} → ${to} is not allowed (from ${from}: ${leadTransitions[from].join(', ')})`)
  }
  if (to === 'converted' && via !== 'conversion') return refuse('CONVERSION_ONLY', 'a lead becomes converted only by converting it (convertLead)')
  if (via === 'conversion' && to !== 'converted') return refuse('NOT_A_CONVERSION', 'a conversion can only end in converted')
  if (reasonRequired.has(to) && !hasText(req.reason)) return refuse('REASON_REQUIRED', `moving to ${to} needs a reason`)
  return { allowed: true, reason: `${from} → ${to} is in the transition table` }
}

/** Statuses the lead may be moved to by a plain status change (for clients' menus). */
export function nextStatuses(from: LeadStatus): LeadStatus[] {
  return leadTransitions[from].filter((to) => to !== 'converted')
}

function refuse(code: TransitionCode, reason: string): TransitionDecision {
  return { allowed: false, code, reason }
}

function hasText(value: string | null | undefined): boolean {
  return typeof value === 'string' && value.trim().length > 0
}
