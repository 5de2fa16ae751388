/** Builders shared by the incentive evaluator's tests (not a test file itself). */
import { readFileSync } from 'node:fs'
import type { IncentiveEvaluation, IncentiveEvent, IncentiveRule, IncentiveUsage } from '../../src/rules/incentives.js'

export const AT = new Date('2025-06-01T08:00:00.000Z')
export const DAY = 86_400_000
export const noUsage: IncentiveUsage = { referrerPeriodTotal: {}, campaignBudgetLeft: {} }

/** The table's defaults (src/db/schema/incentives.ts), as createIncentiveRule applies them. */
export const ruleDefaults: Omit<IncentiveRule, 'id' | 'name' | 'trigger' | 'calc' | 'rewardType'> = {
  active: true,
  campaignId: null,
  orderScope: 'every',
  milestone: null,
  amount: null,
  percentBp: null,
  currency: 'CNY',
  couponCode: null,
  beneficiary: 'referrer',
  referredAmount: null,
  referrerKinds: [],
  referrerTiers: [],
  minOrderAmount: null,
  validFrom: null,
  validUntil: null,
  capAmount: null,
  perReferrerCap: null,
  perReferrerPeriod: 'all_time',
  tierMultipliers: {},
  priority: 100,
  stackable: true,
  approval: 'manual',
  holdDays: 14
}

export function rule(over: Partial<IncentiveRule> = {}): IncentiveRule {
  return { id: 'rule-1', name: 'Test rule', trigger: 'order_paid', calc: 'fixed', rewardType: 'cash', ...ruleDefaults, amount: 5000, ...over }
}

export function orderEvent(over: Partial<IncentiveEvent> = {}, order: Partial<NonNullable<IncentiveEvent['order']>> = {}): IncentiveEvent {
  return {
    trigger: 'order_paid',
    key: 'order_paid:order-1',
    at: AT,
    referrer: { id: 'referrer-1', kind: 'customer', tier: 'standard' },
    customerId: 'customer-1',
    referralId: 'referral-1',
    campaignId: null,
    order: { id: 'order-1', amount: 26_800, currency: 'CNY', first: true, ...order },
    ...over
  }
}

export function referralEvent(trigger: 'referral_qualified' | 'referral_converted' | 'referrer_milestone', over: Partial<IncentiveEvent> = {}): IncentiveEvent {
  return {
    trigger,
    key: `${trigger}:referral-1`,
    at: AT,
    referrer: { id: 'referrer-1', kind: 'customer', tier: 'standard' },
    customerId: 'customer-1',
    referralId: 'referral-1',
    campaignId: null,
    ...over
  }
}

type Json = Record<string, unknown>
const dateFields = ['validFrom', 'validUntil'] as const

/** A createIncentiveRule input (JSON, camelCase) as the stored rule, with the table's defaults. */
export function ruleFromInput(input: Json, id: string): IncentiveRule {
  const parsed: Json = { ...input }
  for (const f of dateFields) if (typeof parsed[f] === 'string') parsed[f] = new Date(parsed[f] as string)
  return { id, ...ruleDefaults, ...parsed } as IncentiveRule
}

export function eventFromJson(json: Json): IncentiveEvent {
  return { ...json, at: new Date(json.at as string) } as IncentiveEvent
}

/** What the docs show of an evaluation: decisions, and each explanation without its rewards (they are the decisions). */
export function shown(evaluation: IncentiveEvaluation): Json {
  return JSON.parse(JSON.stringify({
    decisions: evaluation.decisions,
    explanations: evaluation.explanations.map(({ ruleId, matched, code, reason }) => ({ ruleId, matched, code, reason }))
  }))
}

/** The ```json blocks of a markdown file, by the `<!-- example:<name> -->` marker just above each. */
export function markedJson(file: string): Map<string, Json> {
  const text = readFileSync(file, 'utf8')
  const blocks = new Map<string, Json>()
  for (const m of text.matchAll(/<!-- example:([\w-]+ \w+) -->\s*```json\n([\s\S]*?)```/g)) blocks.set(m[1], JSON.parse(m[2]))
  return blocks
}
