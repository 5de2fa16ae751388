import { sql, type SQL } from 'drizzle-orm'
import type { ActionContext } from '../../db/action.js'

/**
 * The set-based upsert by externalId that customers and referrers share. A chunk of
 * validated rows sits in a temporary staging table (one column per field, plus the row's
 * number, fresh ids and `given`: a bit per field the row named). One statement updates
 * the rows whose externalId exists, setting only the given fields, skipping rows where
 * nothing changes, and writes their audit entries and `*.updated` events from a diff of
 * the masked views before and after; a second inserts the rest with `*.created`.
 */

export type FieldSpec = {
  /** The input / audit name (camelCase). */
  key: string
  /** Its column; a contact field (phone, email) stands for its _enc, _idx and _masked columns. */
  column: string
  /** SQL type of the staging column. */
  type: string
  contact?: boolean
}

export type UpsertSpec = {
  table: string
  staging: string
  /** As audit entries and events name it: 'customer'. */
  entityType: string
  /** Bit i of `given` is fields[i]; externalId is always fields[0]. */
  fields: readonly FieldSpec[]
  /** The row as `*.created` carries it (the service's auditView), from a row of the table aliased `alias`. */
  viewDoc(alias: string): string
}

/**
 * The row of `table` with the staged row's externalId, as a lateral lookup. `offset 0`
 * keeps the planner from turning it into a join: a chunk is a few thousand rows against a
 * table of millions, and a hash join would read the whole table once per chunk where one
 * index probe per row is what is wanted.
 */
export const byExternalId = (table: string, extra = '') =>
  `lateral (select * from ${table} x where x.external_id = s.external_id offset 0${extra ? ` ${extra}` : ''})`

/** Whether a record with the staged row's externalId exists: one index probe per row (see byExternalId). */
export const exists = (table: string) => `exists (select 1 from ${table} x where x.external_id = s.external_id offset 0)`

export const bit = (spec: UpsertSpec, key: string): number => {
  const i = spec.fields.findIndex((f) => f.key === key)
  if (i < 0) throw new Error(`${spec.table}: no field ${key}`)
  return 1 << i
}

const contactColumns = (c: string) => [`${c}_enc`, `${c}_idx`, `${c}_masked`]

/** The staging table's columns, in COPY order. */
export function stagingColumns(spec: UpsertSpec): string[] {
  return ['row_no', 'id', 'audit_id', 'event_id', 'given', ...spec.fields.flatMap((f) => f.contact ? contactColumns(f.column) : [f.column])]
}

/** Dropped at commit: each chunk is its own transaction, staged afresh. */
export function stagingDdl(spec: UpsertSpec): SQL {
  const columns = [
    'row_no int not null', 'id uuid not null', 'audit_id uuid not null', 'event_id uuid not null', 'given int not null',
    ...spec.fields.flatMap((f) => f.contact ? contactColumns(f.column).map((c) => `${c} text`) : [`${f.column} ${f.type}`])
  ]
  return sql.raw(`create temporary table ${spec.staging} (${columns.join(', ')}) on commit drop`)
}

/** The audited fields of a row as JSON: contact fields masked, as audit entries show them. */
function auditDoc(spec: UpsertSpec, alias: string): string {
  const pairs = spec.fields.map((f) => `'${f.key}', ${alias}.${f.contact ? `${f.column}_masked` : f.column}`)
  return `jsonb_build_object(${pairs.join(', ')})`
}

/**
 * A new phone or email with the same mask (138****1234 → 138****1234) is a change too, as
 * in the single writes (common/changes.ts withContactChanges): the blind index tells.
 */
function sameMaskChanges(spec: UpsertSpec): string {
  return spec.fields.filter((f) => f.contact).map((f) => {
    const [, idx, masked] = contactColumns(f.column)
    return ` || case when n.${idx} is distinct from c.${idx} and n.${masked} is not distinct from c.${masked}
      then jsonb_build_object('${f.key}', jsonb_build_object('from', c.${masked}, 'to', n.${masked})) else '{}'::jsonb end`
  }).join('')
}

/** A time as JSON.stringify writes a Date, so set-based events read like the single writes'. */
export const isoTime = (expr: string) => `to_char(${expr} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

function logColumns(ctx: ActionContext): { audit: SQL; values: SQL } {
  return {
    audit: sql`id, actor_type, actor_id, actor_role, api_key_id, action, entity_type, entity_id, changes, request_id`,
    values: sql`${ctx.actorType}::text, ${ctx.actorId}::uuid, ${ctx.actorRole}::text, ${ctx.apiKeyId}::uuid`
  }
}

/**
 * Updates the staged rows whose externalId exists (the caller locked them), a field only
 * where the row gave it; a contact field is re-sealed only when its value changed. Rows
 * with no change are left alone (no version bump, no audit, no event); a deleted one is
 * revived. Returns how many matched and changed, and the revived ids.
 */
export function updateStatement(spec: UpsertSpec, ctx: ActionContext): SQL {
  const { table, staging, entityType: e } = spec
  const next: string[] = []
  const compared: string[] = []
  const assigned: string[] = []
  spec.fields.forEach((f, i) => {
    const given = `s.given & ${1 << i} <> 0`
    if (f.contact) {
      const [enc, idx, masked] = contactColumns(f.column)
      next.push(`case when ${given} and s.${idx} is distinct from c.${idx} then s.${enc} else c.${enc} end as ${enc}`)
      next.push(`case when ${given} then s.${idx} else c.${idx} end as ${idx}`, `case when ${given} then s.${masked} else c.${masked} end as ${masked}`)
      compared.push(idx)
      assigned.push(enc, idx, masked)
    } else {
      next.push(`case when ${given} then s.${f.column} else c.${f.column} end as ${f.column}`)
      compared.push(f.column)
      assigned.push(f.column)
    }
  })
  const log = logColumns(ctx)
  return sql`
    with old as materialized (
      select c.* from ${sql.raw(staging)} s cross join ${sql.raw(byExternalId(table))} c
    ), next as (
      select c.id, s.audit_id, s.event_id, c.deleted_at is not null as revived, ${sql.raw(next.join(', '))}
      from old c join ${sql.raw(staging)} s on s.external_id = c.external_id
    ), changed as (
      select n.* from next n join old c on c.id = n.id
      where n.revived or (${sql.raw(compared.map((c) => `n.${c}`).join(', '))}) is distinct from (${sql.raw(compared.map((c) => `c.${c}`).join(', '))})
    ), upd as (
      update ${sql.raw(table)} t set ${sql.raw(assigned.map((c) => `${c} = n.${c}`).join(', '))},
        version = t.version + 1, updated_at = now(), deleted_at = null
      from changed n where t.id = n.id and t.id = any(array(select id from changed))
      returning t.id, t.version
    ), diffs as (
      select n.id, n.audit_id, n.event_id, n.revived, u.version,
        (select coalesce(jsonb_object_agg(a.key, jsonb_build_object('from', b.value, 'to', a.value)), '{}'::jsonb)
         from jsonb_each(${sql.raw(auditDoc(spec, 'n'))}) a join jsonb_each(${sql.raw(auditDoc(spec, 'c'))}) b on b.key = a.key
         where a.value is distinct from b.value)${sql.raw(sameMaskChanges(spec))} as changes
      from changed n join upd u on u.id = n.id join old c on c.id = n.id
    ), audit as (
      insert into audit_entries (${log.audit})
      select audit_id, ${log.values}, ${`${e}.updated`}::text, ${e}::text, id, changes, ${ctx.requestId}::text from diffs where changes <> '{}'::jsonb
    ), events as (
      insert into outbox_events (id, type, entity_type, entity_id, data)
      select event_id, ${`${e}.updated`}::text, ${e}::text, id, jsonb_build_object('id', id, 'version', version, 'changes', changes)
      from diffs where changes <> '{}'::jsonb
    )
    select (select count(*) from old)::int as matched, count(*)::int as changed,
      coalesce(array_agg(id::text) filter (where revived), '{}') as revived
    from diffs`
}

/**
 * Inserts the staged rows whose externalId is still free, with `*.created` audit entries
 * and events carrying the new row's view. `attempted - created` rows lost a race with a
 * concurrent writer of the same externalId.
 */
export function insertStatement(spec: UpsertSpec, ctx: ActionContext): SQL {
  const { table, staging, entityType: e } = spec
  const columns = ['id', ...spec.fields.flatMap((f) => f.contact ? contactColumns(f.column) : [f.column])]
  const free = sql.raw(`not ${exists(table)}`)
  const log = logColumns(ctx)
  return sql`
    with ins as (
      insert into ${sql.raw(table)} (${sql.raw(columns.join(', '))})
      select ${sql.raw(columns.map((c) => `s.${c}`).join(', '))} from ${sql.raw(staging)} s where ${free}
      on conflict (external_id) do nothing
      returning *
    ), docs as (
      select i.id, s.audit_id, s.event_id, ${sql.raw(spec.viewDoc('i'))} as doc from ins i join ${sql.raw(staging)} s on s.id = i.id
    ), audit as (
      insert into audit_entries (${log.audit})
      select audit_id, ${log.values}, ${`${e}.created`}::text, ${e}::text, id, doc, ${ctx.requestId}::text from docs
    ), events as (
      insert into outbox_events (id, type, entity_type, entity_id, data)
      select event_id, ${`${e}.created`}::text, ${e}::text, id, jsonb_build_object(${e}::text, doc) from docs
    )
    select (select count(*) from docs)::int as created, (select count(*) from ${sql.raw(staging)} s where ${free})::int as attempted`
}
