import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'

/**
 * The current consent of a subject (docs/consents.md, "Current state"): per purpose and
 * channel, the latest record by `occurredAt` wins; at the same instant a withdrawal wins.
 * A record for `any` speaks for every channel, so the state on a channel is the later of
 * its own latest record and the latest `any` record (a withdrawal again winning a tie).
 */
export type LatestConsent = { customerId: string; purpose: string; channel: string; granted: boolean; occurredAt: Date; source: string; textVersion: string | null }

/** Latest record per (customer, purpose, channel) for the customers, one statement. */
export async function latestConsents(ex: Executor, customerIds: Iterable<string>, purposes?: readonly string[]): Promise<LatestConsent[]> {
  const ids = JSON.stringify([...new Set(customerIds)])
  const found = await rows<LatestConsent & { occurredAt: string | Date }>(ex, sql`
    select distinct on (customer_id, purpose, channel) customer_id as "customerId", purpose, channel, granted, occurred_at as "occurredAt", source, text_version as "textVersion"
    from consent_records
    where customer_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
      ${purposes ? sql`and purpose::text in (select value from jsonb_array_elements_text(${JSON.stringify(purposes)}::jsonb))` : sql``}
    order by customer_id, purpose, channel, occurred_at desc, granted asc, id desc`)
  return found.map((r) => ({ ...r, occurredAt: new Date(r.occurredAt) }))
}

/** Latest record per (referrer, purpose, channel) for the referrers, one statement (Referrer.consents). */
export async function latestReferrerConsents(ex: Executor, referrerIds: Iterable<string>): Promise<(Omit<LatestConsent, 'customerId'> & { referrerId: string })[]> {
  const ids = JSON.stringify([...new Set(referrerIds)])
  const found = await rows<Omit<LatestConsent, 'customerId' | 'occurredAt'> & { referrerId: string; occurredAt: string | Date }>(ex, sql`
    select distinct on (referrer_id, purpose, channel) referrer_id as "referrerId", purpose, channel, granted, occurred_at as "occurredAt", source, text_version as "textVersion"
    from consent_records
    where referrer_id in (select value::uuid from jsonb_array_elements_text(${ids}::jsonb))
    order by referrer_id, purpose, channel, occurred_at desc, granted asc, id desc`)
  return found.map((r) => ({ ...r, referrerId: String(r.referrerId), occurredAt: new Date(r.occurredAt) }))
}

/** The record that decides `channel` for one purpose: the later of the channel's own and `any`'s; null when neither exists. */
export function decidingRecord<T extends { channel: string; granted: boolean; occurredAt: Date }>(latest: readonly T[], channel: string): T | null {
  const own = latest.find((r) => r.channel === channel) ?? null
  const any = channel === 'any' ? null : latest.find((r) => r.channel === 'any') ?? null
  if (!own || !any) return own ?? any
  const diff = own.occurredAt.getTime() - any.occurredAt.getTime()
  if (diff !== 0) return diff > 0 ? own : any
  return own.granted ? any : own
}

/** Latest records grouped by customer and purpose, for `decidingRecord`. */
export function byCustomerPurpose<T extends { customerId: string; purpose: string }>(list: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const r of list) {
    const key = `${r.customerId}:${r.purpose}`
    const group = out.get(key)
    if (group) group.push(r)
    else out.set(key, [r])
  }
  return out
}

/** The consent channel a message channel kind answers to. */
export const consentChannelOf = (channelKind: string): string =>
  channelKind === 'wecom_robot' ? 'wecom' : channelKind === 'dingtalk_robot' ? 'dingtalk' : channelKind
