import { and, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'
import type { PiiCipher } from '../../lib/pii.js'
import { reentryCooldownDays, type Filter, type JourneyDefinition } from '../../rules/journey-definition.js'
import { customerConditions } from '../customers/customers.repository.js'
import { filterUsesScores } from '../customers/customers.scores.js'
import type { CustomerFilter } from '../customers/customers.schemas.js'

/**
 * Set-based enrollment (docs/automation.md, "Enrollment"): the customers a source names,
 * those matching the journey's conditions, enrolled in ONE statement whatever their number.
 * The database enforces "at most once": (journey, customer, entrySeq) is unique, so a journey
 * without re-entry enrolls a customer at seq 1 only, and re-entries after the cool-down
 * race for the same next seq: of two concurrent enrollers, one inserts and the other does nothing.
 */

/**
 * A journey filter as SQL over `customers` (left-joined `customer_scores` when `scores`): the
 * customers list filter, plus `orderedWithinDays` (a paid order in the last N days as of `now`;
 * false-y: none), which branches use ("no order within 14 days").
 */
export function filterSql(filter: Filter | null | undefined, pii: PiiCipher, now: Date): { where: SQL; scores: boolean } {
  const { orderedWithinDays, ...rest } = (filter ?? {}) as CustomerFilter & { orderedWithinDays?: number; noOrderWithinDays?: number }
  const { noOrderWithinDays, ...plain } = rest
  const where = customerConditions(plain, pii)
  const ordered = (days: number) => sql`exists (select 1 from orders o where o.customer_id = customers.id and o.status = 'paid'
    and o.paid_at >= ${ts(now)} - make_interval(days => ${days}::int))`
  if (orderedWithinDays) where.push(ordered(orderedWithinDays))
  if (noOrderWithinDays) where.push(sql`not ${ordered(noOrderWithinDays)}`)
  return { where: and(...where)!, scores: filterUsesScores(plain) }
}

export const scoresJoin = (on: boolean) => (on ? sql`left join customer_scores on customer_scores.customer_id = customers.id` : sql``)

export type EnrollTarget = { journeyId: string; version: number; definition: JourneyDefinition }

/**
 * Enrolls the customers of `src` into the journey's current version at its first step, due
 * now; `withSrc` is a `with` clause defining the CTE `src(customer_id, event_id)` (event_id
 * null for scans), possibly after data-modifying CTEs of its own. Returns how many it enrolled.
 */
export async function enroll(ex: Executor, pii: PiiCipher, target: EnrollTarget, withSrc: SQL, kind: string, now: Date): Promise<number> {
  const { where, scores } = filterSql(target.definition.conditions, pii, now)
  const first = target.definition.steps[0].key
  const cooldown = reentryCooldownDays(target.definition)
  const at = ts(now)
  const entry = cooldown === null
    ? { join: sql``, seq: sql`1`, allowed: sql`true` }
    : {
        join: sql`left join lateral (
          select max(e.entry_seq) as seq, max(e.entered_at) as entered_at, bool_or(e.status = 'active') as running
          from journey_enrollments e where e.journey_id = ${target.journeyId}::uuid and e.customer_id = s.customer_id) last on true`,
        seq: sql`coalesce(last.seq, 0) + 1`,
        allowed: sql`(last.seq is null or (not last.running and last.entered_at <= ${at} - make_interval(days => ${cooldown}::int)))`
      }
  const [r] = await rows<{ n: number }>(ex, sql`
    ${withSrc}
    , enrolled as (
      insert into journey_enrollments (id, journey_id, version, customer_id, entry_seq, status, step_key, due_at, trigger_event_id, trigger_kind, entered_at)
      select crm_uuidv7(), ${target.journeyId}::uuid, ${target.version}::int, s.customer_id, ${entry.seq}, 'active', ${first}, ${at}, s.event_id, ${kind}, ${at}
      from (select distinct on (customer_id) customer_id, event_id from src order by customer_id, event_id) s
      join customers on customers.id = s.customer_id
      ${scoresJoin(scores)}
      ${entry.join}
      where ${where} and ${entry.allowed}
      on conflict (journey_id, customer_id, entry_seq) do nothing
      returning 1
    )
    select count(*)::int as n from enrolled`)
  return r.n
}

/** A `src` of the given (customer, event) pairs, as one JSON parameter. */
export function pairsSrc(pairs: { customerId: string; eventId: string | null }[]): SQL {
  const json = JSON.stringify(pairs.map((p) => ({ customer_id: p.customerId, event_id: p.eventId })))
  return sql`with src as (select customer_id, event_id from jsonb_to_recordset(${json}::jsonb) as x(customer_id uuid, event_id uuid))`
}
