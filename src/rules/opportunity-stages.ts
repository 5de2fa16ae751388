/**
 * Opportunity (商机) stages: the pipeline order, the default win probability of each
 * stage, and which stage moves are allowed. Pure: the same input always gives the same
 * decision, and every decision explains itself.
 *
 * Pipeline: initial_contact → needs_assessment → proposal → negotiation → won | lost.
 *
 * Default probabilities (percent), configurable per call through `table`:
 * | stage            | probability |
 * |------------------|-------------|
 * | initial_contact  | 10          |
 * | needs_assessment | 25          |
 * | proposal         | 50          |
 * | negotiation      | 75          |
 * | won              | 100 (fixed) |
 * | lost             | 0 (fixed)   |
 * Won is always 100 and lost always 0, whatever the table says.
 *
 * Moves: every open stage may go to every other open stage (forward or back); any open stage to
 * won or lost; lost needs a reason. A closed (won/lost) opportunity cannot be reopened
 * or moved. A move to the current stage changes nothing.
 */
export const opportunityStages = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation', 'won', 'lost'] as const
export type OpportunityStage = (typeof opportunityStages)[number]
export const openStages = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation'] as const satisfies readonly OpportunityStage[]

export type ProbabilityTable = Record<OpportunityStage, number>

export const defaultProbabilities: ProbabilityTable = {
  initial_contact: 10, needs_assessment: 25, proposal: 50, negotiation: 75, won: 100, lost: 0
}

const fixed: Partial<Record<OpportunityStage, number>> = { won: 100, lost: 0 }

export function isClosed(stage: OpportunityStage): boolean {
  return stage === 'won' || stage === 'lost'
}

/** The probability a stage gets when none is given: won 100 and lost 0 always. */
export function defaultProbability(stage: OpportunityStage, table: ProbabilityTable = defaultProbabilities): number {
  return fixed[stage] ?? table[stage]
}

export type ProbabilityCheck = { ok: true } | { ok: false; explanation: string }

/** Whether `probability` may stand at `stage`: an integer 0–100, and exactly 100/0 when won/lost. */
export function checkProbability(stage: OpportunityStage, probability: number): ProbabilityCheck {
  if (!Number.isInteger(probability) || probability < 0 || probability > 100) {
    return { ok: false, explanation: 'probability must be an integer from 0 to 100' }
  }
  const required = fixed[stage]
  if (required !== undefined && probability !== required) {
    return { ok: false, explanation: `a ${stage} opportunity always has probability ${required}` }
  }
  return { ok: true }
}

export type StageMove = {
  /** The current stage; null when the opportunity is being created. */
  from: OpportunityStage | null
  to: OpportunityStage
  lostReason?: string | null
  probability?: number | null
}

export type StageMoveKind = 'create' | 'advance' | 'step_back' | 'close_won' | 'close_lost'

export type StageDecision =
  | { ok: true; changed: false; stage: OpportunityStage; explanation: string }
  | { ok: true; changed: true; kind: StageMoveKind; stage: OpportunityStage; probability: number; closed: boolean; lostReason: string | null; explanation: string }
  | { ok: false; code: 'INVALID_TRANSITION' | 'REQUIRED' | 'INVALID_PROBABILITY' | 'NOT_APPLICABLE'; field: 'stage' | 'lostReason' | 'probability'; explanation: string }

/** Decides a stage move (or the initial stage when `from` is null), with the reason. */
export function decideStageMove(move: StageMove, table: ProbabilityTable = defaultProbabilities): StageDecision {
  const { from, to } = move
  if (from !== null && from === to) {
    return { ok: true, changed: false, stage: to, explanation: `already at ${to}: nothing changes` }
  }
  if (from !== null && isClosed(from)) {
    return { ok: false, code: 'INVALID_TRANSITION', field: 'stage', explanation: `a ${from} opportunity is closed and cannot move to ${to}` }
  }
  const reason = move.lostReason?.trim() || null
  if (to === 'lost' && !reason) {
    return { ok: false, code: 'REQUIRED', field: 'lostReason', explanation: 'moving to lost needs a lostReason' }
  }
  if (to !== 'lost' && reason) {
    return { ok: false, code: 'NOT_APPLICABLE', field: 'lostReason', explanation: `a lostReason only applies when moving to lost, not ${to}` }
  }
  let probability = defaultProbability(to, table)
  if (move.probability !== undefined && move.probability !== null) {
    const check = checkProbability(to, move.probability)
    if (!check.ok) return { ok: false, code: 'INVALID_PROBABILITY', field: 'probability', explanation: check.explanation }
    probability = move.probability
  }
  const kind = kindOf(from, to)
  const given = move.probability !== undefined && move.probability !== null ? 'as given' : 'the stage default'
  return {
    ok: true, changed: true, kind, stage: to, probability, closed: isClosed(to), lostReason: reason,
    explanation: `${from === null ? 'starts at' : `${from} →`} ${to} (${kind}); probability ${probability} (${given})`
  }
}

function kindOf(from: OpportunityStage | null, to: OpportunityStage): StageMoveKind {
  if (from === null) return 'create'
  if (to === 'won') return 'close_won'
  if (to === 'lost') return 'close_lost'
  return opportunityStages.indexOf(to) > opportunityStages.indexOf(from) ? 'advance' : 'step_back'
}
