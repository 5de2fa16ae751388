import { and, arrayContains, eq, getTableColumns, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { prepared } from '../../db/prepared.js'
import { rowShape, statement } from '../../db/statement.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { users } from '../../db/schema/users.js'
import type { PiiCipher } from '../../lib/pii.js'
import { classifySearch } from '../../rules/contact.js'
import { idNumberSearch } from '../../rules/id-number.js'
import { escapeLike } from '../common/like.js'
import type { ReferrerFilter } from './referrers.schemas.js'

export type ReferrerRow = typeof referrers.$inferSelect
export type ReferrerInsert = typeof referrers.$inferInsert

const live = isNull(referrers.deletedAt)
const referrerRow = rowShape(referrers)

// Unscoped lookups by id run inside transactions (every submission): fixed text, prepared.
const byIdStatement = statement<{ id: string }, ReferrerRow>('referrer_by_id', () => sql`
  select ${referrerRow.list} from ${referrers} where ${referrers.id} = ${sql.placeholder('id')}::uuid and ${live}`, (row) => referrerRow.map(row))

/** SQL for a referrers filter; `search` uses the blind index for phones and emails. */
export function referrerConditions(filter: ReferrerFilter, pii: PiiCipher): SQL[] {
  const where: SQL[] = [live]
  if (filter.ownerId) where.push(eq(referrers.ownerId, filter.ownerId))
  if (filter.kind?.length) where.push(inArray(referrers.kind, filter.kind))
  if (filter.status?.length) where.push(inArray(referrers.status, filter.status))
  if (filter.tier) where.push(eq(referrers.tier, filter.tier))
  if (filter.tags?.length) where.push(arrayContains(referrers.tags, filter.tags))
  if (filter.createdFrom) where.push(gte(referrers.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(referrers.createdAt, new Date(filter.createdTo)))
  const idNumber = filter.search ? idNumberSearch(filter.search) : null
  if (idNumber) where.push(inArray(referrers.idNumberIdx, pii.indexes(idNumber)))
  else if (filter.search) {
    const s = classifySearch(filter.search)
    if (s.kind === 'phone') where.push(inArray(referrers.phoneIdx, pii.indexes(s.value)))
    else if (s.kind === 'email') where.push(inArray(referrers.emailIdx, pii.indexes(s.value)))
    else where.push(sql`lower(${referrers.name} || ' ' || coalesce(${referrers.company}, '')) like ${`%${escapeLike(s.value)}%`}`)
  }
  return where
}

export const referrersRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<ReferrerRow | undefined> {
    if (!scope) return (await byIdStatement(ex, { id }))[0]
    const [row] = await ex.select().from(referrers).where(and(eq(referrers.id, id), live, scope))
    return row
  },

  /** Matches on upper(code), the unique index, so lookups are case-insensitive and indexed. */
  async byCode(ex: Executor, normalisedCode: string, scope?: SQL): Promise<ReferrerRow | undefined> {
    const [row] = await ex.select().from(referrers)
      .where(and(sql`upper(${referrers.code}) = ${normalisedCode}`, live, scope))
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL, includeDeleted = false): Promise<ReferrerRow | undefined> {
    const [row] = await ex.select().from(referrers)
      .where(and(eq(referrers.id, id), includeDeleted ? undefined : live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<ReferrerRow[]> {
    if (ids.length === 0) return []
    // `= any($1)`: one SQL text whatever the number of ids; unscoped, a named prepared statement.
    const query = (reach?: SQL) => ex.select().from(referrers)
      .where(and(sql`${referrers.id} = any(${sql.placeholder('ids')}::uuid[])`, live, reach))
    if (scope) return query(scope).execute({ ids: [...ids] })
    return prepared(ex, 'referrers_by_ids', (name) => query().prepare(name)).execute({ ids: [...ids] })
  },

  /** Includes soft-deleted rows: an upsert by externalId revives them. */
  async byExternalId(ex: Executor, externalId: string): Promise<ReferrerRow | undefined> {
    const [row] = await ex.select().from(referrers).where(eq(referrers.externalId, externalId))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, referrers, getTableColumns(referrers), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, referrers, where),

  async insert(ex: Executor, values: ReferrerInsert): Promise<ReferrerRow> {
    const [row] = await ex.insert(referrers).values(values).returning()
    return row
  },

  /** Bumps the version; with `expectedVersion` the update only applies at that version. */
  async update(ex: Executor, id: string, values: Partial<ReferrerInsert>, expectedVersion?: number): Promise<ReferrerRow | undefined> {
    const [row] = await ex.update(referrers)
      .set({ ...values, version: sql`${referrers.version} + 1`, updatedAt: new Date() })
      .where(and(eq(referrers.id, id), expectedVersion === undefined ? undefined : eq(referrers.version, expectedVersion)))
      .returning()
    return row
  },

  /** Is there a live customer with this id within `scope` (the caller's customer reach)? */
  async customerExists(ex: Executor, id: string, scope?: SQL): Promise<boolean> {
    const [row] = await ex.select({ id: customers.id }).from(customers)
      .where(and(eq(customers.id, id), isNull(customers.deletedAt), scope))
    return !!row
  },

  async userExists(ex: Executor, id: string): Promise<boolean> {
    const [row] = await ex.select({ id: users.id }).from(users).where(and(eq(users.id, id), isNull(users.deletedAt)))
    return !!row
  }
}
