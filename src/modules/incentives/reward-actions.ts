import { and, asc, eq, inArray, lte } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import { incentiveRules, rewards } from '../../db/schema/incentives.js'
import { CrmError, forbidden, invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { approveEntry, cancelEntry, payEntry } from './reward-transitions.js'
import { rewardsRepository as repo } from './rewards.repository.js'
import { RewardCancel, RewardPay } from './rewards.schemas.js'
import type { RewardRow } from './rewards.views.js'

/** Managers approve and cancel; finance (admin, manager, integration) records payouts. */
const approvers: ReadonlySet<string> = new Set(['admin', 'manager'])
const payers: ReadonlySet<string> = new Set(['admin', 'manager', 'integration'])
const DAY = 86_400_000
const BATCH = 200

function allowed(actor: Actor, roles: ReadonlySet<string>, what: string): void {
  authorize(actor, 'rewards', 'write')
  if (!roles.has(actor.role)) throw forbidden(`Only ${[...roles].join(', ')} ${what}`)
}

const refused = (code: string, message: string, field = 'id') =>
  new CrmError('CRM_ERR_INVALID_TRANSITION', message, [{ field, message, code }])

async function lockEntry(tx: Action['tx'], id: string, expectedVersion: number | undefined): Promise<RewardRow> {
  const row = isUuid(id) ? await repo.lock(tx, id) : undefined
  if (!row) throw notFound('Reward', id)
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('Reward', expectedVersion, row.version)
  return row
}

/**
 * approveReward: pending → approved. Approving an approved reward again changes nothing.
 * An order reward cannot be approved while its hold (the refund window) runs.
 */
export async function approveReward(deps: ServiceDeps, actor: Actor, id: string, expectedVersion: number | undefined, now: Date): Promise<RewardRow> {
  allowed(actor, approvers, 'approve rewards')
  return runAction(deps.db, actionContext(actor), async (action) => {
    const row = await lockEntry(action.tx, id, expectedVersion)
    if (row.kind !== 'reward') throw refused('REVERSAL', 'A reversal entry follows its reward; approve the reward')
    if (row.status === 'approved') return row
    if (row.status !== 'pending') throw refused('INVALID_TRANSITION', `A ${row.status} reward cannot be approved`)
    if (row.holdUntil && row.holdUntil > now) throw refused('ON_HOLD', `The reward is on hold until ${row.holdUntil.toISOString()} (the refund window)`)
    return approveEntry(action, row, actor.userId, 'manager', now)
  })
}

/**
 * markRewardPaid: approved → paid with the payout reference (a reversal entry: the
 * clawback was recovered). Repeating it with the same reference changes nothing.
 */
export async function markRewardPaid(deps: ServiceDeps, actor: Actor, id: string, input: unknown, now: Date): Promise<RewardRow> {
  allowed(actor, payers, 'record payouts')
  const data = parse(RewardPay, input)
  const paidAt = data.paidAt ? new Date(data.paidAt) : now
  if (paidAt.getTime() > now.getTime() + DAY) throw invalid('paidAt', 'is more than a day in the future', 'IN_FUTURE')
  return runAction(deps.db, actionContext(actor), async (action) => {
    const row = await lockEntry(action.tx, id, data.expectedVersion)
    if (row.status === 'paid' && row.payoutReference === data.payoutReference) return row
    if (row.status === 'paid') throw refused('ALREADY_PAID', `The reward was already paid (reference ${row.payoutReference})`)
    if (row.status !== 'approved') throw refused('NOT_APPROVED', `A ${row.status} reward cannot be paid; only approved ones`)
    if (row.kind === 'reversal' && row.reversesId) {
      const [of] = await action.tx.select({ status: rewards.status }).from(rewards).where(eq(rewards.id, row.reversesId))
      if (of?.status !== 'paid' && of?.status !== 'reversed') throw refused('REVERSAL', 'This reversal is settled with its reward\'s payout')
    }
    return payEntry(action, row, data.payoutReference, paidAt, now)
  })
}

/** cancelReward: a manager withdraws an unpaid reward (pending or approved). */
export async function cancelReward(deps: ServiceDeps, actor: Actor, id: string, input: unknown, now: Date): Promise<RewardRow> {
  allowed(actor, approvers, 'cancel rewards')
  const data = parse(RewardCancel, input)
  return runAction(deps.db, actionContext(actor), async (action) => {
    const row = await lockEntry(action.tx, id, data.expectedVersion)
    if (row.kind !== 'reward') throw refused('REVERSAL', 'A reversal entry follows its reward; cancel the reward')
    if (row.status !== 'pending' && row.status !== 'approved') throw refused('INVALID_TRANSITION', `A ${row.status} reward cannot be cancelled`)
    return cancelEntry(action, row, data.reason, now)
  })
}

/**
 * The hold job's pass as of `now`: approves pending rewards of auto-approval rules whose
 * hold has ended, in batches, each batch one transaction. Rows another process is
 * approving are skipped (SKIP LOCKED) and re-checked under the lock.
 */
export async function approveDueRewards(deps: ServiceDeps, now: Date): Promise<{ approved: number }> {
  let approved = 0
  for (;;) {
    const done = await runAction(deps.db, { actorType: 'system', actorId: null, actorRole: null, apiKeyId: null, requestId: null }, async (action) => {
      const due = await action.tx.select().from(rewards)
        .where(and(eq(rewards.kind, 'reward'), eq(rewards.status, 'pending'), lte(rewards.holdUntil, now),
          inArray(rewards.ruleId, action.tx.select({ id: incentiveRules.id }).from(incentiveRules).where(eq(incentiveRules.approval, 'auto')))))
        .orderBy(asc(rewards.holdUntil), asc(rewards.id)).limit(BATCH).for('update', { skipLocked: true })
      for (const row of due) await approveEntry(action, row, null, 'hold_ended', now)
      return due.length
    })
    approved += done
    if (done < BATCH) return { approved }
  }
}
