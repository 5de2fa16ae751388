import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { Value } from '@sinclair/typebox/value'
import { CrmError } from '../../errors.js'
import { tooDeep } from '../../lib/json-depth.js'
import { typeboxFieldErrors } from '../../i18n/schema-errors.js'
import type { Schema } from '../../i18n/schema-explain.js'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()
/** The largest INPUT_MAX_DEPTH allowed: deep enough for any input, shallow enough for every recursion after. */
const MAX_DEPTH = 1000

/**
 * Checks input against a TypeBox schema in the service, so GraphQL and REST callers
 * get the same answer: one error per field, saying what is wrong and what is allowed.
 * Unknown fields are refused where the schema says so. An empty string where the field
 * takes null but refuses "" (an optional phone, email, company) means null, no value:
 * what REST's validator (ajv, coerceTypes) already made of it, now on every transport.
 */
export function parse<T extends TSchema>(schema: T, value: unknown): Static<T> {
  let check = compiled.get(schema)
  if (!check) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  // The edges refuse input deeper than INPUT_MAX_DEPTH; this catches what reaches a service
  // another way (an import's JSON cell or NDJSON line) before anything recursive walks it.
  const deep = tooDeep(value, MAX_DEPTH)
  if (deep) {
    const message = `is nested more than ${MAX_DEPTH} levels deep; at most ${MAX_DEPTH} levels of objects and arrays are allowed`
    throw new CrmError('CRM_ERR_VALIDATION', `${deep[0] ?? 'input'}: ${message}`, [{ field: deep[0] ?? null, message, code: 'TOO_DEEP' }])
  }
  if (check.Check(value)) return value as Static<T>
  const normalised = emptyToNull(schema, value)
  if (normalised !== value && check.Check(normalised)) return normalised as Static<T>
  const errors = typeboxFieldErrors(check.Errors(normalised), schema as Schema)
  throw new CrmError('CRM_ERR_VALIDATION', `Invalid input: ${errors.map((e) => `${e.field ?? 'input'}: ${e.message}`).join(' | ')}`, errors)
}

/** A copy of `value` with "" replaced by null in every object member whose schema takes null and refuses "". */
function emptyToNull(schema: TSchema, value: unknown, depth = 0): unknown {
  const props = (schema as { properties?: Record<string, TSchema> }).properties
  if (!props || depth > 8 || value === null || typeof value !== 'object' || Array.isArray(value)) return value
  let out: Record<string, unknown> | null = null
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    const memberSchema = props[key]
    if (!memberSchema) continue
    let next = member
    if (member === '' && Value.Check(memberSchema, null) && !Value.Check(memberSchema, '')) next = null
    else next = emptyToNull(memberSchema, member, depth + 1)
    if (next !== member) (out ??= { ...(value as Record<string, unknown>) })[key] = next
  }
  return out ?? value
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (value: string): boolean => UUID.test(value)
