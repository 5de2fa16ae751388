import { sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'
import type { RowError } from './import-types.js'

/**
 * The checks a single write makes against other rows (the record within reach, the owner
 * assignable, links that exist), made for a whole staged chunk in one query. Each check is
 * a CASE naming a problem or null; a row's first problem refuses it, with the same field,
 * code and message the single write gives.
 */

type Problem = { field: string; code: string; message: string }

export const problems = {
  NOT_FOUND: { field: 'externalId', code: 'NOT_FOUND', message: 'is used by a record you cannot change' },
  UNKNOWN_USER: { field: 'ownerId', code: 'UNKNOWN_USER', message: 'is not a known user' },
  INACTIVE_USER: { field: 'ownerId', code: 'INACTIVE_USER', message: 'is a deactivated user' },
  OWNER_OWN: { field: 'ownerId', code: 'FORBIDDEN', message: 'You may only assign records to yourself' },
  OWNER_TEAM: { field: 'ownerId', code: 'FORBIDDEN', message: 'You may only assign records to yourself or your team' },
  OWNER_REQUIRED: { field: 'ownerId', code: 'REQUIRED', message: 'is required' },
  OWNER_KEPT: { field: 'ownerId', code: 'REQUIRED', message: 'cannot be cleared' },
  UNKNOWN_REFERRER: { field: 'referrerId', code: 'UNKNOWN_REFERENCE', message: 'refers to a record that does not exist' },
  UNKNOWN_CUSTOMER: { field: 'customerId', code: 'UNKNOWN_CUSTOMER', message: 'is not a known customer' },
  UNKNOWN_LINKED_USER: { field: 'userId', code: 'UNKNOWN_USER', message: 'is not a known user' },
  CODE_TAKEN: { field: 'code', code: 'TAKEN', message: 'is already used by another referrer' }
} as const satisfies Record<string, Problem>
export type ProblemCode = keyof typeof problems

/**
 * Owner checks of a staged row `s` against `existing` (the table's row with its externalId,
 * left-joined; `users o` left-joined on s.owner_id, live users only). The owner is checked
 * when a new record gets one or an update names a different one, as assertAssignable does.
 */
export function ownerChecks(actor: Actor, reach: Reach, existing: string, ownerBit: number): SQL[] {
  const isNew = sql.raw(`${existing}.id is null`)
  const named = sql.raw(`s.given & ${ownerBit} <> 0`)
  const assigning = sql`((${isNew} and s.owner_id is not null) or (not ${isNew} and ${named} and s.owner_id is not null and s.owner_id is distinct from ${sql.raw(existing)}.owner_id))`
  const scoped = reach === 'own'
    ? sql`when s.owner_id <> ${actor.userId}::uuid then 'OWNER_OWN'`
    : reach === 'team'
      ? sql`when s.owner_id <> ${actor.userId}::uuid and (${actor.teamId}::uuid is null or o.team_id is distinct from ${actor.teamId}::uuid) then 'OWNER_TEAM'`
      : sql``
  const checks = [sql`case when ${assigning} then case when o.id is null then 'UNKNOWN_USER' when not o.active then 'INACTIVE_USER' ${scoped} end end`]
  if (reach !== 'all') {
    checks.push(sql`case when ${isNew} and s.owner_id is null then 'OWNER_REQUIRED' when not ${isNew} and ${named} and s.owner_id is null then 'OWNER_KEPT' end`)
  }
  return checks
}

/** An existing record outside the writer's reach is not found, as a single write would say. */
export function reachCheck(existing: string, scope: SQL | undefined): SQL[] {
  return scope ? [sql`case when ${sql.raw(existing)}.id is not null and not (${scope}) then 'NOT_FOUND' end`] : []
}

/** Runs the checks over `from` (which names the staging table `s`); the rows refused, and why. */
export async function findProblems(tx: Tx, from: SQL, checks: SQL[]): Promise<{ row: number; problem: string }[]> {
  if (checks.length === 0) return []
  return rows<{ row: number; problem: string }>(tx, sql`
    select row_no as row, problem from (select s.row_no, coalesce(${sql.join(checks, sql`, `)}) as problem from ${from}) p
    where problem is not null`)
}

export function problemError(row: number, problem: string): RowError {
  const p: Problem = problems[problem as ProblemCode] ?? { field: null, code: problem, message: 'is refused' }
  return { row, ...p }
}

/** Drops refused (and set-aside) rows from the staging table. */
export async function dropStaged(tx: Tx, staging: string, rows: readonly number[]): Promise<void> {
  if (rows.length === 0) return
  await tx.execute(sql`delete from ${sql.raw(staging)} where row_no = any(${`{${rows.join(',')}}`}::int[])`)
}
