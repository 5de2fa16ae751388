import { uuidv7 } from 'uuidv7'
import { and, arrayContains, asc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { insertedRow, insertShape, statement } from '../../db/statement.js'
import { campaigns } from '../../db/schema/campaigns.js'
import { customers } from '../../db/schema/customers.js'
import { leadHistory, leads } from '../../db/schema/leads.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import type { PiiCipher } from '../../lib/pii.js'
import { classifySearch } from '../../rules/contact.js'
import { escapeLike } from '../common/like.js'
import type { LeadFilter } from './leads.schemas.js'

export type LeadRow = typeof leads.$inferSelect
export type LeadInsert = typeof leads.$inferInsert
export type LeadHistoryRow = typeof leadHistory.$inferSelect
export type LeadHistoryInsert = typeof leadHistory.$inferInsert

/** The records a lead may link to, by the input field that names them. */
export const referenceTables = { referrerId: referrers, campaignId: campaigns, customerId: customers } as const
export type ReferenceField = keyof typeof referenceTables

const live = isNull(leads.deletedAt)

/** The columns a lead made by intake (a referral's) writes; the others keep their defaults. */
const intakeColumns = [
  'id', 'source', 'referralId', 'referrerId', 'campaignId', 'name', 'company', 'industry', 'region',
  'phoneEnc', 'phoneIdx', 'phoneMasked', 'emailEnc', 'emailIdx', 'emailMasked', 'attributes', 'status',
  'ownerId', 'assignedAt', 'firstContactDueAt', 'firstContactBreachedAt', 'nextFollowUpAt', 'createdAt', 'updatedAt'
] as const satisfies readonly (keyof LeadInsert)[]
export type IntakeLeadInsert = Pick<LeadInsert, (typeof intakeColumns)[number]> & { id: string }

const intakeLead = insertShape(leads, intakeColumns)
const insertedLead = insertedRow(leads)

// A referral's lead, its first history entries and the referral's pointer to it, in one
// statement of fixed text (every accepted referral runs it); the foreign keys are checked
// at its end, when the lead exists. Nothing comes back: the row is what was inserted.
const insertReferralLeadStatement = statement<Record<string, unknown>>('lead_insert_for_referral', () => sql`
  with lead as (
    insert into ${leads} (${intakeLead.columns}) values (${intakeLead.placeholders})
  ), history as (
    insert into ${leadHistory} (id, lead_id, kind, from_owner_id, to_owner_id, from_status, to_status, reason, actor_id, at)
    select id, lead_id, kind, from_owner_id, to_owner_id, from_status, to_status, reason, actor_id, coalesce(at, now())
      from jsonb_to_recordset(${sql.placeholder('history')}::jsonb) as h(id uuid, lead_id uuid, kind text, from_owner_id uuid,
        to_owner_id uuid, from_status lead_status, to_status lead_status, reason text, actor_id uuid, at timestamptz)
  ), linked as (
    update ${referrals} set lead_id = ${sql.placeholder('id')}::uuid, version = ${referrals.version} + 1,
           updated_at = ${sql.placeholder('linkedAt')}::timestamptz
     where ${referrals.id} = ${sql.placeholder('referralId')}::uuid
  )
  select 1`)

/** History entries as the statement's JSON rows; ids made here in order, as the ORM's default makes them. */
const historyJson = (entries: readonly LeadHistoryInsert[]) => JSON.stringify(entries.map((e) => ({
  id: e.id ?? uuidv7(), lead_id: e.leadId, kind: e.kind, from_owner_id: e.fromOwnerId ?? null, to_owner_id: e.toOwnerId ?? null,
  from_status: e.fromStatus ?? null, to_status: e.toStatus ?? null, reason: e.reason ?? null, actor_id: e.actorId ?? null, at: e.at ?? null
})))

/** SQL for a leads filter; `search` uses the blind index for phones and emails. */
export function leadConditions(filter: LeadFilter, pii: PiiCipher): SQL[] {
  const where: SQL[] = [live]
  if (filter.ownerId) where.push(eq(leads.ownerId, filter.ownerId))
  if (filter.unassigned === true) where.push(isNull(leads.ownerId))
  if (filter.unassigned === false) where.push(isNotNull(leads.ownerId))
  if (filter.status?.length) where.push(inArray(leads.status, filter.status))
  if (filter.source) where.push(eq(leads.source, filter.source))
  if (filter.campaignId) where.push(eq(leads.campaignId, filter.campaignId))
  if (filter.referrerId) where.push(eq(leads.referrerId, filter.referrerId))
  if (filter.customerId) where.push(eq(leads.customerId, filter.customerId))
  if (filter.tags?.length) where.push(arrayContains(leads.tags, filter.tags))
  if (filter.createdFrom) where.push(gte(leads.createdAt, new Date(filter.createdFrom)))
  if (filter.createdTo) where.push(lt(leads.createdAt, new Date(filter.createdTo)))
  if (filter.nextFollowUpBefore) where.push(lt(leads.nextFollowUpAt, new Date(filter.nextFollowUpBefore)))
  if (filter.search) {
    const s = classifySearch(filter.search)
    if (s.kind === 'phone') where.push(inArray(leads.phoneIdx, pii.indexes(s.value)))
    else if (s.kind === 'email') where.push(inArray(leads.emailIdx, pii.indexes(s.value)))
    else where.push(sql`lower(${leads.name} || ' ' || coalesce(${leads.company}, '')) like ${`%${escapeLike(s.value)}%`}`)
  }
  return where
}

export const leadsRepository = {
  async byId(ex: Executor, id: string, scope?: SQL): Promise<LeadRow | undefined> {
    const [row] = await ex.select().from(leads).where(and(eq(leads.id, id), live, scope))
    return row
  },

  /** Locks the row for the rest of the transaction: concurrent writers queue behind it. */
  async lock(ex: Executor, id: string, scope?: SQL, includeDeleted = false): Promise<LeadRow | undefined> {
    const [row] = await ex.select().from(leads)
      .where(and(eq(leads.id, id), includeDeleted ? undefined : live, scope)).for('update')
    return row
  },

  async byIds(ex: Executor, ids: readonly string[], scope?: SQL): Promise<LeadRow[]> {
    if (ids.length === 0) return []
    return ex.select().from(leads).where(and(inArray(leads.id, [...ids]), live, scope))
  },

  /** Includes soft-deleted rows: an upsert by externalId revives them. */
  async byExternalId(ex: Executor, externalId: string): Promise<LeadRow | undefined> {
    const [row] = await ex.select().from(leads).where(eq(leads.externalId, externalId))
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, leads, getTableColumns(leads), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, leads, where),

  async insert(ex: Executor, values: LeadInsert): Promise<LeadRow> {
    const [row] = await ex.insert(leads).values(values).returning()
    return row
  },

  /** Bumps the version; with `expectedVersion` the update only applies at that version. */
  async update(ex: Executor, id: string, values: Partial<LeadInsert>, expectedVersion?: number): Promise<LeadRow | undefined> {
    const [row] = await ex.update(leads)
      .set({ ...values, version: sql`${leads.version} + 1`, updatedAt: new Date() })
      .where(and(eq(leads.id, id), expectedVersion === undefined ? undefined : eq(leads.version, expectedVersion)))
      .returning()
    return row
  },

  /**
   * A referral's new lead with its first history entries (which name `values.id`), and the
   * referral pointed at it (`lead_id`; version + 1, `updated_at` = `linkedAt`, as the
   * referrals repository's update does), in one statement.
   */
  async insertReferralLead(ex: Executor, values: IntakeLeadInsert, history: readonly LeadHistoryInsert[], linkedAt: Date): Promise<LeadRow> {
    const row = insertedLead(values)
    await insertReferralLeadStatement(ex, { ...intakeLead.encode(row), history: historyJson(history), linkedAt: linkedAt.toISOString() })
    return row
  },

  async addHistory(ex: Executor, entry: LeadHistoryInsert): Promise<void> {
    await ex.insert(leadHistory).values(entry)
  },

  /** The history of many leads in one query, oldest first; only leads inside `scope`. */
  async historyOf(ex: Executor, leadIds: readonly string[], scope?: SQL): Promise<LeadHistoryRow[]> {
    if (leadIds.length === 0) return []
    return ex.select(getTableColumns(leadHistory)).from(leadHistory)
      .innerJoin(leads, eq(leads.id, leadHistory.leadId))
      .where(and(inArray(leadHistory.leadId, [...leadIds]), live, scope))
      .orderBy(asc(leadHistory.at), asc(leadHistory.id))
  },

  /** Does the linked record exist (and, with `scope`, may the caller see it)? */
  async referenceExists(ex: Executor, field: ReferenceField, id: string, scope?: SQL): Promise<boolean> {
    const table = referenceTables[field]
    const [row] = await ex.select({ id: table.id }).from(table).where(and(eq(table.id, id), isNull(table.deletedAt), scope))
    return row !== undefined
  }
}
