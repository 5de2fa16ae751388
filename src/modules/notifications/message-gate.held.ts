import { sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { capReason, capWindows, decideCaps, type CapLimits } from '../../rules/frequency-caps.js'
import { byCustomerPurpose, consentChannelOf, decidingRecord, latestConsents } from '../consents/consent-state.js'
import { capCounts, lockCustomers } from './message-gate.repository.js'

const BATCH = 1000
const HOUR = 3_600_000

export type HeldRelease = { released: number; dropped: number; blocked: number; capped: number }
type Held = { id: string; customerId: string; channelKind: string; purpose: string; createdAt: string | Date }

/**
 * The held-messages job's pass (docs/guardrails.md, "Quiet hours"): held messages whose
 * `send_after` has come are queued, unless they waited longer than the limit (dropped,
 * held_too_long), the consent went meanwhile (blocked, no_consent) or a cap is now full
 * (capped). Batches of rows claimed with SKIP LOCKED, so several processes share the work.
 */
export async function releaseHeld(db: Db, limits: CapLimits, maxAgeHours: number, now: Date): Promise<HeldRelease> {
  const total: HeldRelease = { released: 0, dropped: 0, blocked: 0, capped: 0 }
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const held = await rows<Held>(tx, sql`
        select id, customer_id as "customerId", channel_kind as "channelKind", purpose, created_at as "createdAt" from messages
        where status = 'held' and send_after <= ${now.toISOString()}::timestamptz
        order by send_after, id limit ${BATCH} for update skip locked`)
      if (held.length === 0) return 0
      const decided = new Map<string, { status: string; reason: string | null }>()
      const oldest = now.getTime() - maxAgeHours * HOUR
      const fresh = held.filter((m) => {
        if (new Date(m.createdAt).getTime() >= oldest) return true
        decided.set(m.id, { status: 'dropped', reason: 'held_too_long' })
        return false
      })
      const consents = byCustomerPurpose(await latestConsents(tx, fresh.map((m) => m.customerId), ['marketing', 'service']))
      const consented = fresh.filter((m) => {
        const record = decidingRecord(consents.get(`${m.customerId}:${m.purpose}`) ?? [], consentChannelOf(m.channelKind))
        const ok = m.purpose === 'marketing' ? record?.granted === true : record?.granted !== false
        if (!ok) decided.set(m.id, { status: 'blocked', reason: 'no_consent' })
        return ok
      })
      const marketing = consented.filter((m) => m.purpose === 'marketing')
      const ids = [...new Set(marketing.map((m) => m.customerId))].sort()
      await lockCustomers(tx, ids)
      const { dayFrom, weekFrom } = capWindows(now)
      // What went out (or is queued) since: the held messages themselves are not counted.
      const counts = await capCounts(tx, ids, dayFrom, weekFrom, ['queued', 'sent'])
      decideCaps(marketing, counts, limits).forEach((hit, i) => { if (hit) decided.set(marketing[i].id, { status: 'capped', reason: capReason(hit) }) })
      const values = held.map((m) => ({ id: m.id, ...(decided.get(m.id) ?? { status: 'queued', reason: 'quiet_hours' }) }))
      await tx.execute(sql`
        update messages m set status = v.status::message_status, reason = v.reason, updated_at = ${now.toISOString()}::timestamptz,
          next_attempt_at = case when v.status = 'queued' then ${now.toISOString()}::timestamptz else null end
        from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, status text, reason text) where m.id = v.id`)
      for (const v of values) {
        const key = v.status === 'queued' ? 'released' : (v.status as 'dropped' | 'blocked' | 'capped')
        total[key]++
      }
      return held.length
    })
    if (done < BATCH) return total
  }
}
