/**
 * Referral status policy (推荐状态). Pure: the same request always gets the same decision.
 *
 *   pending_consent → submitted (consent given) | rejected (declined, expired, by a manager)
 *   submitted       → qualified (its lead qualified, or a manager) | converted (lead
 *                     converted without an opportunity) | rejected (by a manager)
 *   qualified       → converted (its opportunity won) | rejected (by a manager)
 *   converted, rejected → nothing (final)
 *
 * `via` says who asks: consent answers, the system (lead/opportunity progress, the
 * expiry job) or a manager (qualifyReferral / rejectReferral).
 */
export const referralStatuses = ['pending_consent', 'submitted', 'qualified', 'converted', 'rejected'] as const
export type ReferralStatus = (typeof referralStatuses)[number]

export const rejectionReasons = ['duplicate', 'already_customer', 'self_referral', 'consent_declined', 'expired', 'invalid'] as const
export type ReferralRejection = (typeof rejectionReasons)[number]

/** Reasons a manager may give; consent_declined and expired come only from the person and the clock. */
export const manualRejectionReasons = ['duplicate', 'already_customer', 'self_referral', 'invalid'] as const

export const referralTransitions: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  pending_consent: ['submitted', 'rejected'],
  submitted: ['qualified', 'converted', 'rejected'],
  qualified: ['converted', 'rejected'],
  converted: [],
  rejected: []
}

export type ReferralVia = 'consent' | 'progress' | 'manager' | 'expiry'

export type ReferralMove = { from: ReferralStatus; to: ReferralStatus; via: ReferralVia; reason?: ReferralRejection | null }

export type ReferralMoveCode = 'UNCHANGED' | 'FINAL' | 'NOT_IN_TABLE' | 'NEEDS_CONSENT' | 'WRONG_ACTOR' | 'REASON'

export type ReferralMoveDecision = { allowed: true; reason: string } | { allowed: false; code: ReferralMoveCode; reason: string }

/** Which `via` may make each move (beyond the table itself). */
function allowedVia(move: ReferralMove): boolean {
  const { from, to, via } = move
  if (from === 'pending_consent' && to === 'submitted') return via === 'consent'
  if (to === 'qualified') return via === 'progress' || via === 'manager'
  if (to === 'converted') return via === 'progress'
  return true
}

function reasonFits(move: ReferralMove): boolean {
  if (move.to !== 'rejected') return true
  switch (move.via) {
    case 'consent': return move.reason === 'consent_declined'
    case 'expiry': return move.reason === 'expired' && move.from === 'pending_consent'
    case 'manager': return (manualRejectionReasons as readonly string[]).includes(move.reason ?? '')
    case 'progress': return false
  }
}

/** Decides one move and says which rule decided it. */
export function decideReferralMove(move: ReferralMove): ReferralMoveDecision {
  const { from, to } = move
  if (from === to) return refuse('UNCHANGED', `the referral is already ${to}`)
  if (referralTransitions[from].length === 0) return refuse('FINAL', `${from} is final: no status follows it`)
  if (from === 'pending_consent' && to !== 'submitted' && to !== 'rejected') {
    return refuse('NEEDS_CONSENT', 'the referred person has not consented yet')
  }
  if (!referralTransitions[from].includes(to)) {
    return refuse('NOT_IN_TABLE', `${from} → ${to} is not allowed (from ${from}: ${referralTransitions[from].join(', ')})`)
  }
  if (!allowedVia(move)) return refuse('WRONG_ACTOR', `${from} → ${to} does not happen by ${move.via}`)
  if (!reasonFits(move)) return refuse('REASON', `${move.reason ?? 'no reason'} is not a reason ${move.via} may reject with`)
  return { allowed: true, reason: `${from} → ${to} by ${move.via} is in the transition table` }
}

function refuse(code: ReferralMoveCode, reason: string): ReferralMoveDecision {
  return { allowed: false, code, reason }
}
