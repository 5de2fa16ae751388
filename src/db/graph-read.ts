import { createHash } from 'node:crypto'
import { and, fillPlaceholders, sql, type Placeholder, type SQL, type Subquery } from 'drizzle-orm'
import { PgDialect, type AnyPgColumn, type PgTable } from 'drizzle-orm/pg-core'
import type { RawQuery, RawRow } from './raw.js'

/**
 * Reads an object and the relations a GraphQL query selects on it in ONE statement
 * (correlated subqueries + json_build_object), instead of one query per relation: what
 * makes a nested page cost about what a hand-written query costs (docs/performance.md).
 *
 * A spec says which fields are plain columns of the object's view and which relations
 * may be folded in; a want (from the query's selection) says which of them to read.
 */

/** Field name (as the API names it) → the column holding exactly that value. */
export type Columns = Record<string, AnyPgColumn>

/** A to-one relation through a foreign key on the parent (customer.owner_id → users.id). */
export type ToOne = {
  kind: 'one'
  /** Whose read permission the relation's loader checks, and whether it limits rows by reach. */
  entity: string
  scoped: boolean
  table: PgTable
  columns: Columns
  /** The target's key and the parent's foreign key. */
  key: AnyPgColumn
  fk: AnyPgColumn
  /** The parent's field that holds the foreign key. */
  fkField: string
  /** Extra conditions on the target, e.g. not deleted. */
  where?: SQL
  /** `{ id }` alone is answered from the foreign key, as the loader does (`withIdOnly`). */
  idFromFk?: boolean
}

/** A one-to-many "latest N" relation (customer.activities(first:)), newest first. */
export type Latest = {
  kind: 'latest'
  entity: string
  scoped: boolean
  table: PgTable
  columns: Columns
  /** The child's column pointing at the parent, and the parent's key. */
  parent: AnyPgColumn
  parentKey: AnyPgColumn
  /**
   * When children belong by more than the parent column (a customer's timeline): their rows,
   * correlated to the parent and named like `table`, read instead of `parent = parentKey`.
   */
  source?: Subquery
  /** Sort columns, both descending. */
  order: [AnyPgColumn, AnyPgColumn]
  where?: SQL
  defaultFirst: number
  maxFirst: number
}

export type GraphSpec = {
  table: PgTable
  columns: Columns
  /** Fields computed from several columns by the service (e.g. phone from its ciphertext). */
  computed?: Record<string, string[]>
  relations: Record<string, ToOne | Latest>
}

/** A selected field as the GraphQL layer describes it (src/graphql/selection.ts). */
export type SelectedShape = {
  name: string
  args: Record<string, unknown>
  leaf: boolean
  /** Has its own resolver: not a plain property of the parent view. */
  resolved: boolean
  children?: { fields: Map<string, SelectedShape> }
}

export type RelationWant = { name: string; fields: string[]; first?: number; idOnly?: boolean }
export type GraphWant = { key: string; fields: string[]; relations: RelationWant[] }

/** Relations read by the plan, stored on each view under this symbol for the resolvers. */
export const preloaded = Symbol('preloaded')
export type Preloaded = { [preloaded]?: Record<string, unknown> }

const dialect = new PgDialect({ casing: 'snake_case' })
const selectCache = new Map<string, string>()
const MAX_CACHED = 500

/** The select list for a want: rendered once per shape (it has no parameters). */
function selectList(spec: GraphSpec, want: GraphWant): SQL {
  let text = selectCache.get(want.key)
  if (text === undefined) {
    const parts: SQL[] = []
    const columns = new Set(want.fields.flatMap((f) => spec.computed?.[f] ?? [f]))
    for (const r of want.relations) {
      const rel = spec.relations[r.name]
      if (rel.kind === 'one' && r.idOnly) columns.add(rel.fkField)
      else parts.push(sql`${relationSql(rel, r)} as ${sql.identifier(r.name)}`)
    }
    for (const f of columns) parts.unshift(sql`${spec.columns[f]} as ${sql.identifier(f)}`)
    text = dialect.sqlToQuery(sql.join(parts, sql`, `)).sql
    if (selectCache.size < MAX_CACHED) selectCache.set(want.key, text)
  }
  return sql.raw(text)
}

function pairs(fields: string[], value: (f: string) => SQL | AnyPgColumn): SQL {
  return sql.join(fields.map((f) => sql`${sql.raw(`'${f}'`)}, ${value(f)}`), sql`, `)
}

/**
 * A column as it goes into JSON: timestamps in the exact form the API prints a Date
 * (toISOString: UTC, milliseconds truncated, as JS truncates microseconds), which the
 * DateTime scalar then passes through without parsing.
 */
function jsonValue(column: AnyPgColumn): SQL | AnyPgColumn {
  if (column.columnType === 'PgTimestamp') return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
  return column
}

function relationSql(rel: ToOne | Latest, want: RelationWant): SQL {
  if (rel.kind === 'one') {
    return sql`(select json_build_object(${pairs(want.fields, (f) => jsonValue(rel.columns[f]))}) from ${rel.table}
      where ${and(sql`${rel.key} = ${rel.fk}`, rel.where)})`
  }
  const [o1, o2] = rel.order
  const inner = sql.join([
    ...want.fields.map((f) => sql`${jsonValue(rel.columns[f])} as ${sql.identifier(f)}`),
    sql`${o1} as "__o1"`, sql`${o2} as "__o2"`
  ], sql`, `)
  const first = sql.raw(String(want.first ?? rel.defaultFirst))
  return sql`(select coalesce(json_agg(json_build_object(${pairs(want.fields, (f) => sql`x.${sql.identifier(f)}`)}) order by x."__o1" desc, x."__o2" desc), '[]'::json)
    from (select ${inner} from ${rel.source ?? rel.table} where ${and(rel.source ? undefined : sql`${rel.parent} = ${rel.parentKey}`, rel.where)}
          order by ${o1} desc, ${o2} desc limit ${first}) x)`
}

/**
 * The want for a selection, or null when something selected is not a plain column or a
 * foldable relation of the spec (the caller then resolves field by field, as always).
 */
export function wantFor(spec: GraphSpec, selected: Map<string, SelectedShape>): GraphWant | null {
  const fields: string[] = []
  const relations: RelationWant[] = []
  for (const f of selected.values()) {
    const rel = spec.relations[f.name]
    if (rel && f.resolved && f.children) {
      const children = [...f.children.fields.values()]
      if (children.some((c) => !c.leaf || c.resolved || !(c.name in rel.columns) || Object.keys(c.args).length > 0)) return null
      const names = children.map((c) => c.name)
      if (rel.kind === 'one') {
        if (Object.keys(f.args).length > 0) return null
        relations.push({ name: f.name, fields: names, idOnly: rel.idFromFk === true && names.every((n) => n === 'id') })
      } else {
        const { first, ...rest } = f.args
        const n = first ?? rel.defaultFirst
        if (Object.keys(rest).length > 0 || !Number.isInteger(n) || (n as number) < 0 || (n as number) > rel.maxFirst) return null
        relations.push({ name: f.name, fields: names, first: n as number })
      }
    } else if (f.leaf && !f.resolved && (f.name in spec.columns || spec.computed?.[f.name])) {
      fields.push(f.name)
    } else {
      return null
    }
  }
  if (!fields.includes('id')) fields.unshift('id')
  const key = `${fields.join(',')}|${relations.map((r) => `${r.name}:${r.first ?? ''}:${r.idOnly ? 'id' : r.fields.join(',')}`).join(';')}`
  return { key, fields, relations }
}

/** `join`: a to-one join after the object's table (e.g. customer_scores, for a filter or order on it). */
export type GraphQueryParts = { where: SQL[]; join?: SQL; orderBy?: SQL[]; limit?: number | SQL | Placeholder; extra?: SQL }

/**
 * A statement whose text never varies for a want (no filter, placeholders for values):
 * rendered once, then only its placeholders are filled. `key` names the statement shape.
 */
export type FixedStatement = { key: string; values: Record<string, unknown> }

type Rendered = { sql: string; params: unknown[]; name: string }
const statementCache = new Map<string, Rendered>()

function render(spec: GraphSpec, want: GraphWant, parts: GraphQueryParts): Rendered {
  const statement = sql`select ${selectList(spec, want)}${parts.extra ? sql`, ${parts.extra}` : sql``} from ${spec.table}${parts.join ? sql` ${parts.join}` : sql``}
    where ${and(...parts.where)}${parts.orderBy ? sql` order by ${sql.join(parts.orderBy, sql`, `)}` : sql``}${parts.limit !== undefined ? sql` limit ${parts.limit}` : sql``}`
  const query = dialect.sqlToQuery(statement)
  return { ...query, name: `g_${createHash('sha1').update(query.sql).digest('base64url').slice(0, 20)}` }
}

/**
 * Runs the statement; every shape is a named prepared statement (planned once per
 * connection). With `fixed`, pass `parts` as a function: it is only called to render.
 */
export async function readGraph(raw: RawQuery, spec: GraphSpec, want: GraphWant, parts: GraphQueryParts | (() => GraphQueryParts), fixed?: FixedStatement): Promise<RawRow[]> {
  const cacheKey = fixed ? `${want.key}#${fixed.key}` : undefined
  let query = cacheKey ? statementCache.get(cacheKey) : undefined
  if (!query) {
    query = render(spec, want, typeof parts === 'function' ? parts() : parts)
    if (cacheKey && statementCache.size < MAX_CACHED) statementCache.set(cacheKey, query)
  }
  const rows = await raw(query.sql, fixed ? fillPlaceholders(query.params, fixed.values) : query.params, query.name)
  for (const row of rows) attachRelations(spec, want, row)
  return rows
}

/** Moves each relation's value from the row to the row's `preloaded` slot. */
function attachRelations(spec: GraphSpec, want: GraphWant, row: RawRow): void {
  if (want.relations.length === 0) return
  const slot: Record<string, unknown> = {}
  for (const r of want.relations) {
    const rel = spec.relations[r.name]
    if (rel.kind === 'one' && r.idOnly) {
      const id = row[rel.fkField]
      slot[r.name] = id ? { id } : null
    } else {
      slot[r.name] = row[r.name] ?? null
      delete row[r.name]
    }
  }
  (row as Preloaded)[preloaded] = slot
}
