import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { CrmError, type FieldError } from '../../errors.js'

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>()

/**
 * Checks input against a TypeBox schema in the service, so GraphQL and REST callers
 * get the same answer. Unknown fields are refused where the schema says so.
 */
export function parse<T extends TSchema>(schema: T, value: unknown): Static<T> {
  let check = compiled.get(schema)
  if (!check) {
    check = TypeCompiler.Compile(schema)
    compiled.set(schema, check)
  }
  if (check.Check(value)) return value as Static<T>
  const seen = new Set<string>()
  const errors: FieldError[] = []
  for (const e of check.Errors(value)) {
    const field = e.path.replace(/^\//, '').replace(/\//g, '.') || null
    const key = `${field}`
    if (seen.has(key)) continue
    seen.add(key)
    errors.push({ field, message: e.message, code: 'INVALID' })
  }
  throw new CrmError('CRM_ERR_VALIDATION', `Invalid input: ${errors.map((e) => `${e.field ?? 'input'} ${e.message}`).join('; ')}`, errors)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const isUuid = (value: string): boolean => UUID.test(value)
