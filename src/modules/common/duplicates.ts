import { and, inArray, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Tx } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { CrmError, type FieldError } from '../../errors.js'

/**
 * The duplicate policy (docs/customers.md): a new customer (referrer), or a change of phone or
 * email, may not take a phone or email blind index that a LIVE record of the same entity
 * already holds, unless the caller says allowDuplicate or DUPLICATE_POLICY=allow.
 */

export type DuplicateEntity = 'customer' | 'referrer'
export type ContactIndexes = { phoneIdx?: string | null; emailIdx?: string | null }
export type DuplicateMatch = { id: string; field: 'phone' | 'email'; visible: boolean }
/** A current blind index and the same value's indexes under previous keys (PiiCipher.indexesOf). */
export type IndexesOf = (idx: string) => string[]

const tables = {
  customer: { table: customers, live: sql`${customers.deletedAt} is null and ${customers.mergedIntoId} is null` },
  referrer: { table: referrers, live: sql`${referrers.deletedAt} is null` }
} as const

/** The whole entity's key: single writes share it, a bulk import chunk takes it alone. */
const entityKey = (entity: DuplicateEntity) => sql`hashtext(${`crm.duplicates.${entity}`})`

/**
 * Serialises writers of the same phone or email until commit, so that two concurrent
 * creates cannot both pass the check: the second one's check runs after the first commits.
 * Take it before any row lock (import chunks lock rows after taking the entity key).
 */
export async function lockContacts(tx: Tx, entity: DuplicateEntity, idx: ContactIndexes): Promise<void> {
  const keys = [idx.phoneIdx, idx.emailIdx].filter((k): k is string => !!k).sort()
  if (keys.length === 0) return
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${entityKey(entity)})`)
  // Sorted: two writers of the same two values take them in the same order (no deadlock).
  for (const key of keys) await tx.execute(sql`select pg_advisory_xact_lock(${entityKey(entity)}, hashtext(${key}))`)
}

/** A bulk import chunk: every single write of the entity's contacts waits until it commits. */
export async function lockAllContacts(tx: Tx, entity: DuplicateEntity): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${entityKey(entity)})`)
}

/**
 * The live record (other than `exceptId`) holding one of these indexes, phone first, and
 * whether `scope` (the caller's read reach) lets the caller see it.
 */
export async function findDuplicate(
  tx: Tx, entity: DuplicateEntity, idx: ContactIndexes, scope: SQL | undefined, exceptId?: string, indexesOf: IndexesOf = (i) => [i]
): Promise<DuplicateMatch | null> {
  const { table, live } = tables[entity]
  // During a key rotation a record may still hold the value's index under a previous key (PiiCipher.indexesOf).
  const phones = idx.phoneIdx ? indexesOf(idx.phoneIdx) : null
  const matches = [phones ? inArray(table.phoneIdx, phones) : undefined, idx.emailIdx ? inArray(table.emailIdx, indexesOf(idx.emailIdx)) : undefined]
  if (!matches.some(Boolean)) return null
  const [row] = await tx.select({
    id: table.id,
    field: phones ? sql<'phone' | 'email'>`case when ${inArray(table.phoneIdx, phones)} then 'phone' else 'email' end` : sql<'email'>`'email'`,
    visible: scope ? sql<boolean>`coalesce((${scope}), false)` : sql<boolean>`true`
  }).from(table)
    .where(and(or(...matches), live, exceptId ? ne(table.id, exceptId) : undefined))
    .orderBy(sql`3 desc`, sql`2 desc`, table.id)
    .limit(1)
  return row ? { id: row.id, field: row.field, visible: Boolean(row.visible) } : null
}

/** The userError / 409 a refused duplicate gives: the existing id only to a caller who may see that record. */
export function duplicateError(entity: DuplicateEntity, match: DuplicateMatch): CrmError {
  const error: FieldError = match.visible
    ? { field: match.field, message: `is already the ${match.field} of ${entity} ${match.id}; pass allowDuplicate: true to create another`, code: 'DUPLICATE', existingId: match.id }
    : { field: match.field, message: `is already the ${match.field} of another ${entity}; pass allowDuplicate: true to create another`, code: 'DUPLICATE' }
  return new CrmError('CRM_ERR_CONFLICT', `${match.field}: a ${entity} with this ${match.field} already exists`, [error])
}

/**
 * The check of one single write: locks the values, then refuses if a live record (other than
 * `exceptId`, the record being changed) holds one of them. `idx` holds only the values the
 * write sets (an update passes the ones that change).
 */
export async function assertNoDuplicate(
  tx: Tx, entity: DuplicateEntity, idx: ContactIndexes, scope: SQL | undefined, exceptId?: string, indexesOf?: IndexesOf
): Promise<void> {
  if (!idx.phoneIdx && !idx.emailIdx) return
  await lockContacts(tx, entity, idx)
  const match = await findDuplicate(tx, entity, idx, scope, exceptId, indexesOf)
  if (match) throw duplicateError(entity, match)
}
