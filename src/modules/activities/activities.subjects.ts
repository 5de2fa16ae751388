import { and, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import { activities } from '../../db/schema/activities.js'
import { customers } from '../../db/schema/customers.js'
import { leads } from '../../db/schema/leads.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { referrers } from '../../db/schema/referrers.js'
import { invalid } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize, type Entity, type Reach } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'

export type SubjectKind = 'customer' | 'lead' | 'opportunity' | 'referrer'
export type SubjectIds = { customerId?: string | null; leadId?: string | null; opportunityId?: string | null; referrerId?: string | null }

type SubjectTable = {
  entity: Entity
  field: keyof SubjectIds
  id: AnyPgColumn
  owner: AnyPgColumn
  deletedAt: AnyPgColumn
  /** The customer the subject concerns, if it has one. */
  customerId: AnyPgColumn | null
  /** The column of `activities` naming this subject. */
  activityColumn: AnyPgColumn
  self?: AnyPgColumn
}

export const subjectTables: Record<SubjectKind, SubjectTable> = {
  customer: { entity: 'customers', field: 'customerId', id: customers.id, owner: customers.ownerId, deletedAt: customers.deletedAt, customerId: null, activityColumn: activities.customerId },
  lead: { entity: 'leads', field: 'leadId', id: leads.id, owner: leads.ownerId, deletedAt: leads.deletedAt, customerId: leads.customerId, activityColumn: activities.leadId },
  opportunity: { entity: 'opportunities', field: 'opportunityId', id: opportunities.id, owner: opportunities.ownerId, deletedAt: opportunities.deletedAt, customerId: opportunities.customerId, activityColumn: activities.opportunityId },
  referrer: { entity: 'referrers', field: 'referrerId', id: referrers.id, owner: referrers.ownerId, deletedAt: referrers.deletedAt, customerId: referrers.customerId, activityColumn: activities.referrerId, self: referrers.id }
}
const kinds = Object.keys(subjectTables) as SubjectKind[]

/**
 * Checks that every named subject exists and that the actor may read it (the same
 * answer either way, so nothing leaks), and returns the customer each one concerns.
 */
export async function resolveSubjects(ex: Executor, actor: Actor, ids: SubjectIds): Promise<Partial<Record<SubjectKind, { customerId: string | null }>>> {
  const found: Partial<Record<SubjectKind, { customerId: string | null }>> = {}
  for (const kind of kinds) {
    const t = subjectTables[kind]
    const id = ids[t.field]
    if (!id) continue
    const scope = reachFilter(actor, authorize(actor, t.entity, 'read'), { owner: t.owner, self: t.self })
    const [row] = await ex.select({ customerId: sql<string | null>`${t.customerId ?? t.id}` }).from(t.id.table)
      .where(and(eq(t.id, id), isNull(t.deletedAt), scope))
    if (!row) throw invalid(t.field, `refers to no ${kind} you can see`, 'UNKNOWN_REFERENCE')
    found[kind] = { customerId: t.customerId ? row.customerId : id }
  }
  return found
}

/**
 * SQL: the subject named by `column` has its owner within `reach` of the actor. Correlated
 * (one primary-key probe per candidate row), so pages and batches stop early.
 */
export function subjectWithinReach(actor: Actor, reach: Reach, kind: SubjectKind, column: AnyPgColumn): SQL {
  const t = subjectTables[kind]
  const filter = reachFilter(actor, reach, { owner: t.owner, self: t.self }) ?? sql`true`
  return sql`exists (select 1 from ${t.id.table} where ${t.id} = ${column} and ${filter})`
}

/**
 * Activities are shared with whoever may see their subject: with a team or own reach,
 * those the actor wrote or whose customer, lead, opportunity or referrer is within it.
 */
export function activityScope(actor: Actor, reach: Reach): SQL | undefined {
  if (reach === 'all') return undefined
  const visible = kinds.map((k) => subjectWithinReach(actor, reach, k, subjectTables[k].activityColumn))
  return or(actor.userId ? eq(activities.authorId, actor.userId) : undefined, ...visible)
}

/** The actor's row filter on customers, or null when it may not read customers at all. */
function customerReach(actor: Actor): SQL | undefined | null {
  try {
    return reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
  } catch {
    return null
  }
}

/**
 * SQL: the live customer `id` (a column or value) is one the actor may read; nothing (no
 * condition) when the actor reads every customer.
 */
export function customerVisible(actor: Actor, id: SQL | AnyPgColumn): SQL | undefined {
  const filter = customerReach(actor)
  if (filter === null) return sql`false`
  if (filter === undefined) return undefined
  return sql`exists (select 1 from ${customers} where ${customers.id} = ${id} and ${customers.deletedAt} is null and ${filter})`
}

/** Whether the actor may see this customer (a live one). */
export async function customerSeen(ex: Executor, actor: Actor, id: string): Promise<boolean> {
  const filter = customerReach(actor)
  if (filter === null) return false
  const [row] = await ex.select({ id: customers.id }).from(customers).where(and(eq(customers.id, id), isNull(customers.deletedAt), filter))
  return row !== undefined
}
