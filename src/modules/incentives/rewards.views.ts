import type { rewards } from '../../db/schema/incentives.js'
import type { Actor } from '../auth/actor.js'

export type RewardRow = typeof rewards.$inferSelect
export type RewardInsert = typeof rewards.$inferInsert
export type Reward = ReturnType<typeof rewardView>

/**
 * What triggered an entry, from its event key (`order_paid:<order id>`, `refund:<refund id>`,
 * `referrer_milestone:<referrer id>:<n>`): the trigger, or `refund` for a reversal.
 */
export function triggerOf(eventKey: string): string {
  const i = eventKey.indexOf(':')
  return i < 0 ? eventKey : eventKey.slice(0, i)
}

/** A ledger entry as clients, events and exports see it. */
export function rewardView(row: RewardRow) {
  return { ...row, trigger: triggerOf(row.eventKey) }
}

/** What reward events carry: the entry, without the explanation's prose. */
export function rewardEventData(row: RewardRow) {
  const { explanation: _e, ...rest } = rewardView(row)
  return rest
}

/** A referrer's view of its own entry: without the rule's explanation, which names rules, caps and budgets. */
export function referrerRewardView(row: RewardRow): Reward {
  return { ...rewardView(row), explanation: {} }
}

/** The view an actor gets of the entries it may read. */
export const rewardViewFor = (actor: Actor): ((row: RewardRow) => Reward) => (actor.role === 'referrer' ? referrerRewardView : rewardView)
