import { sql, type SQL } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { RawQuery } from '../../db/raw.js'
import type { AuditFilter } from './audit.schemas.js'

export type AuditEntry = {
  id: string
  kind: 'write' | 'access'
  at: string
  actorType: string
  actorId: string | null
  actorRole: string | null
  apiKeyId: string | null
  action: string
  entityType: string
  entityId: string | null
  entityIds: string[]
  rowCount: number | null
  fields: string[]
  changes: unknown
  filter: unknown
  requestId: string | null
}

const dialect = new PgDialect()
function run(raw: RawQuery, query: SQL) {
  const q = dialect.sqlToQuery(query)
  return raw(q.sql, q.params)
}

export type AuditAfter = { at: string; id: string } | null

// Both tables in one shape; `at` as ISO text (the API's), `atKey` as the database prints it (the cursor's, microseconds kept).
const writeColumns = sql`'write' as "kind", id, to_json(at)#>>'{}' as "at", at::text as "atKey", actor_type as "actorType", actor_id as "actorId",
  actor_role as "actorRole", api_key_id as "apiKeyId", action, entity_type as "entityType", entity_id as "entityId",
  '[]'::json as "entityIds", null::int as "rowCount", '[]'::json as "fields", changes, null::jsonb as "filter", request_id as "requestId"`
const accessColumns = sql`'access' as "kind", id, to_json(at)#>>'{}' as "at", at::text as "atKey", actor_type as "actorType", actor_id as "actorId",
  actor_role as "actorRole", api_key_id as "apiKeyId", action, entity_type as "entityType", null::uuid as "entityId",
  to_json(entity_ids) as "entityIds", row_count as "rowCount", to_json(fields) as "fields", null::jsonb as changes, filter, request_id as "requestId"`

function conditions(f: AuditFilter, kind: 'write' | 'access', after: AuditAfter): SQL {
  const where: SQL[] = [sql`true`]
  if (f.actorId) where.push(sql`actor_id = ${f.actorId}::uuid`)
  if (f.actorType) where.push(sql`actor_type = ${f.actorType}`)
  if (f.actorRole) where.push(sql`actor_role = ${f.actorRole}`)
  if (f.apiKeyId) where.push(sql`api_key_id = ${f.apiKeyId}::uuid`)
  if (f.entityType) where.push(sql`entity_type = ${f.entityType}`)
  if (f.entityId) where.push(kind === 'write' ? sql`entity_id = ${f.entityId}::uuid` : sql`entity_ids @> array[${f.entityId}::uuid]`)
  if (f.action) where.push(sql`action = ${f.action}`)
  if (f.requestId) where.push(sql`request_id = ${f.requestId}`)
  if (f.from) where.push(sql`at >= ${f.from}::timestamptz`)
  if (f.to) where.push(sql`at < ${f.to}::timestamptz`)
  if (after) where.push(sql`(at, id) < (${after.at}::timestamptz, ${after.id}::uuid)`)
  return sql.join(where, sql` and `)
}

const kinds = (f: AuditFilter) => (f.kind ? [f.kind] : (['write', 'access'] as const))

/**
 * Newest first, keyset on (at, id) over both tables: each side's own newest `limit` rows
 * (its indexes serve them), merged. Ids are UUIDv7 in both, so (at, id) never ties.
 */
export async function auditPage(raw: RawQuery, f: AuditFilter, after: AuditAfter, limit: number): Promise<(AuditEntry & { atKey: string })[]> {
  const branches = kinds(f).map((kind) => sql`(select ${kind === 'write' ? writeColumns : accessColumns}
    from ${sql.raw(kind === 'write' ? 'audit_entries' : 'access_entries')} where ${conditions(f, kind, after)}
    order by at desc, id desc limit ${limit})`)
  const rows = await run(raw, sql`select * from (${sql.join(branches, sql` union all `)}) as u order by "atKey"::timestamptz desc, id desc limit ${limit}`)
  return rows as unknown as (AuditEntry & { atKey: string })[]
}

export async function auditCount(raw: RawQuery, f: AuditFilter): Promise<number> {
  const parts = kinds(f).map((kind) => sql`(select count(*) from ${sql.raw(kind === 'write' ? 'audit_entries' : 'access_entries')} where ${conditions(f, kind, null)})`)
  const rows = await run(raw, sql`select (${sql.join(parts, sql` + `)})::int as n`)
  return Number(rows[0].n)
}
