/**
 * How incentive explanations write amounts, percentages and times. Marketers read these
 * sentences in previewIncentives and tests compare them, so they are fixed formats, never
 * locale-dependent (no toLocaleString).
 */
import type { CapPeriod, IncentiveTrigger, RewardType } from './incentives.types.js'

/** Currencies whose minor unit is the whole unit; every other currency has 2 decimals. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'VND', 'CLP', 'ISK'])
const SYMBOL: Readonly<Record<string, string>> = { CNY: '¥' }

const grouped = (n: number) => n < 1000 ? String(n) : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')

/** `¥1,234.50` for CNY, `12.00 USD` for other 2-decimal currencies, `500 JPY`. */
export function money(amount: number, currency: string): string {
  const sign = amount < 0 ? '-' : ''
  const abs = Math.abs(amount)
  const text = ZERO_DECIMAL.has(currency) ? grouped(abs) : `${grouped(Math.floor(abs / 100))}.${String(abs % 100).padStart(2, '0')}`
  const symbol = SYMBOL[currency]
  return symbol === undefined ? `${sign}${text} ${currency}` : `${sign}${symbol}${text}`
}

export const points = (n: number) => `${grouped(n)} ${n === 1 ? 'point' : 'points'}`

/** An amount in the reward's unit: points for points rewards, else money. */
export const quantity = (amount: number, rewardType: RewardType, currency: string) =>
  rewardType === 'points' ? points(amount) : money(amount, currency)

/** Basis points as a percentage: 500 → `5%`, 1250 → `12.5%`, 333 → `3.33%`. */
export function percent(bp: number): string {
  const whole = Math.floor(bp / 100)
  const frac = String(bp % 100).padStart(2, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}%` : `${whole}%`
}

/** A multiplier in basis points of 1: 20000 → `2`, 15000 → `1.5`, 12500 → `1.25`. */
export function factor(bp: number): string {
  const whole = Math.floor(bp / 10000)
  const frac = String(bp % 10000).padStart(4, '0').replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : `${whole}`
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, … */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'
  return `${n}${suffix}`
}

export const iso = (at: Date) => at.toISOString()

export const triggerLabel: Readonly<Record<IncentiveTrigger, string>> = {
  referral_qualified: 'a qualified referral',
  referral_converted: 'a converted referral',
  order_paid: 'a paid order',
  referrer_milestone: 'a referrer milestone',
  survey_answered: 'an answered survey',
  ticket_resolved: 'a resolved ticket'
}

export const periodLabel: Readonly<Record<CapPeriod, string>> = {
  day: 'per day',
  week: 'per week',
  month: 'per month',
  year: 'per year',
  all_time: 'in total'
}

/** `Referrer gets ¥50.00 in cash`, `Referred customer gets a ¥20.00 coupon WELCOME20`, `… gets 300 points`. */
export function gets(side: 'referrer' | 'referred', amount: number, rewardType: RewardType, currency: string, couponCode: string | null): string {
  const who = side === 'referrer' ? 'Referrer' : 'Referred customer'
  const what = rewardType === 'cash' ? `${money(amount, currency)} in cash`
    : rewardType === 'coupon' ? `a ${money(amount, currency)} coupon${couponCode ? ` ${couponCode}` : ''}`
      : points(amount)
  return `${who} gets ${what}`
}

export const sideName = (side: 'referrer' | 'referred') => side === 'referrer' ? 'Referrer' : 'Referred customer'
