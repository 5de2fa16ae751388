/**
 * Every place of type JSON a client can write, found in the live schema: each argument and
 * input field (through nested input objects and lists), with a minimal call that reaches it.
 * A new JSON field is probed without anyone listing it.
 */
import {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isObjectType, isScalarType,
  type GraphQLArgument, type GraphQLField, type GraphQLInputField, type GraphQLInputType, type GraphQLNamedType,
  type GraphQLObjectType, type GraphQLSchema
} from 'graphql'
import { loadSchema } from '../../src/plugins/graphql.js'

export const liveSchema: GraphQLSchema = buildSchema(loadSchema())

/**
 * One JSON place: the root field, and the argument/input-field names leading to it ('[]' for a
 * list item); `nonNull` when the place is `JSON!` (a variable for it is declared `JSON!`).
 */
export type JsonProbe = { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown>; path: string[]; nonNull: boolean }

export function jsonProbes(schema: GraphQLSchema = liveSchema): JsonProbe[] {
  const probes: JsonProbe[] = []
  const walk = (type: GraphQLInputType, path: string[], seen: Set<string>, found: (path: string[], nonNull: boolean) => void): void => {
    if (isNonNullType(type)) {
      if (isScalarType(type.ofType) && type.ofType.name === 'JSON') return found(path, true)
      return walk(type.ofType, path, seen, found)
    }
    if (isListType(type)) return walk(type.ofType, [...path, '[]'], seen, found)
    if (isScalarType(type) && type.name === 'JSON') return found(path, false)
    if (isInputObjectType(type) && !seen.has(type.name)) {
      for (const f of Object.values(type.getFields())) walk(f.type, [...path, f.name], new Set([...seen, type.name]), found)
    }
  }
  for (const [operation, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      for (const arg of field.args) walk(arg.type, [arg.name], new Set(), (path, nonNull) => probes.push({ operation, field, path, nonNull }))
    }
  }
  return probes
}

/** Ids the minimal calls use for fields of these names (anything else is a fresh UUID: NOT_FOUND). */
export type KnownIds = Record<string, string>
const ABSENT_ID = '00000000-0000-7000-8000-00000000abcd'

function scalarLiteral(type: GraphQLNamedType, name: string, ids: KnownIds): string {
  if (isEnumType(type)) return type.getValues()[0].name
  switch (type.name) {
    case 'ID': return JSON.stringify(ids[name] ?? ABSENT_ID)
    case 'Int': case 'SafeInt': case 'Float': return '1'
    case 'Boolean': return 'false'
    case 'DateTime': return '"2026-01-01T00:00:00.000Z"'
    case 'LocalDate': return '"2026-01-01"'
    case 'JSON': return '{}'
    default: return JSON.stringify(name === 'currency' ? 'CNY' : `json probe ${name}`)
  }
}

const required = (f: GraphQLArgument | GraphQLInputField): boolean => isNonNullType(f.type) && f.defaultValue === undefined

/**
 * The literal of `type` with its required fields (and, where exactly one of customerId and
 * customerExternalId is needed, the known customerId), and `json` written at `path` (null: this
 * value is off the probe's path).
 */
function literal(type: GraphQLInputType, name: string, path: string[] | null, json: string, ids: KnownIds): string {
  if (isNonNullType(type)) return literal(type.ofType, name, path, json, ids)
  if (path?.length === 0 && !isListType(type)) return json
  if (isListType(type)) return `[${literal(type.ofType, name, path && path[0] === '[]' ? path.slice(1) : path, json, ids)}]`
  if (isInputObjectType(type)) {
    const fields = type.getFields()
    const parts = Object.values(fields)
      .filter((f) => f.name === path?.[0] || required(f) || (f.name === 'customerId' && ids.customerId && fields.customerExternalId))
      .map((f) => `${f.name}: ${literal(f.type, f.name, f.name === path?.[0] ? path.slice(1) : null, json, ids)}`)
    return `{ ${parts.join(', ')} }`
  }
  return scalarLiteral(getNamedType(type), name, ids)
}

/** What a call answers that depends on the JSON: userErrors, and every JSON field one object down. */
function selection(type: GraphQLObjectType, depth = 0): string {
  const parts = ['__typename']
  for (const f of Object.values(type.getFields())) {
    if (f.args.some(required)) continue
    const named = getNamedType(f.type)
    if (named.name === 'JSON') parts.push(f.name)
    else if (f.name === 'userErrors') parts.push('userErrors { field code }')
    else if (isObjectType(named) && !isListType(f.type) && depth < 1) {
      const inner = selection(named, depth + 1)
      if (inner !== '__typename') parts.push(`${f.name} { ${inner} }`)
    }
  }
  return parts.join(' ')
}

/**
 * The probe's call with `json` (a literal, or `$j`) at its place; `variables` declares the
 * operation's variables (e.g. '$j: JSON').
 */
export function probeQuery(probe: JsonProbe, json: string, variables: string, ids: KnownIds): string {
  const { field, path } = probe
  const args = field.args
    .filter((a) => a.name === path[0] || required(a))
    .map((a) => `${a.name}: ${literal(a.type, a.name, a.name === path[0] ? path.slice(1) : null, json, idsFor(field.name, ids))}`)
  const returned = getNamedType(field.type)
  const selected = isObjectType(returned) ? ` { ${selection(returned)} }` : ''
  const head = variables ? `${probe.operation}(${variables})` : probe.operation
  return `${head} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selected} }`
}

/** updateCustomer's `id` is a customer's: the known id of the entity the mutation names. */
function idsFor(fieldName: string, ids: KnownIds): KnownIds {
  const entity = /^update([A-Z]\w*)$/.exec(fieldName)?.[1]
  const own = entity ? ids[`${entity[0].toLowerCase()}${entity.slice(1)}Id`] : undefined
  return own ? { ...ids, id: own } : ids
}

export const describeProbe = (p: JsonProbe): string => `${p.field.name}(${p.path.join('.').replaceAll('.[]', '[]')})`
