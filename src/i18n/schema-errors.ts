import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors'
import type { FieldError } from '../errors.js'
import { explain, REQUIRED, unknownField, type Schema } from './schema-explain.js'

const dotted = (pointer: string) => pointer.replace(/^\//, '').split('/').filter(Boolean).join('.')
const join = (...parts: (string | null | undefined)[]) => parts.filter(Boolean).join('.') || null

/** TypeBox's errors for one value: one FieldError per field, the required and unknown ones first. */
export function typeboxFieldErrors(errors: Iterable<ValueError>, root: Schema): FieldError[] {
  const byField = new Map<string | null, { fe: FieldError; rank: number }>()
  for (const e of errors) {
    const field = join(dotted(e.path))
    // The code stays INVALID, as it always was for service-side checks; the message says which problem.
    const [message, rank] = e.type === ValueErrorType.ObjectRequiredProperty ? [REQUIRED, 2]
      : e.type === ValueErrorType.ObjectAdditionalProperties ? [unknownField(knownFields(root, e.path)), 2]
        : [explain(e.schema as Schema, e.value), 1]
    const seen = byField.get(field)
    if (!seen || rank > seen.rank) byField.set(field, { fe: { field, message, code: 'INVALID' }, rank })
  }
  return [...byField.values()].map((x) => x.fe)
}

// The properties of the object that holds the field at `pointer`.
function knownFields(root: Schema, pointer: string): string[] {
  let schema: Schema | undefined = root
  const parts = pointer.replace(/^\//, '').split('/').slice(0, -1)
  for (const part of parts) {
    const s: Schema | undefined = schema?.anyOf?.find((b) => b.properties) ?? schema
    schema = s?.properties?.[part] ?? (s as { items?: Schema } | undefined)?.items
  }
  const holder = schema?.anyOf?.find((b) => b.properties) ?? schema
  return Object.keys(holder?.properties ?? {})
}

/** An ajv error, with `verbose: true` (parentSchema and data). */
export type AjvIssue = {
  instancePath?: string; keyword?: string; params?: Record<string, unknown>
  message?: string; parentSchema?: Schema; data?: unknown
}

/** Ajv's errors for one request part: one FieldError per field (code: ajv's keyword, as before); an anyOf speaks for its branches. */
export function ajvFieldErrors(issues: AjvIssue[], context?: string): FieldError[] {
  const byField = new Map<string | null, { fe: FieldError; rank: number }>()
  for (const v of issues) {
    const base = dotted(v.instancePath ?? '')
    let field: string | null
    let fe: FieldError
    let rank: number
    if (v.keyword === 'required') {
      field = join(base, v.params?.missingProperty as string) ?? context ?? null
      fe = { field, message: REQUIRED, code: 'REQUIRED' }
      rank = 3
    } else if (v.keyword === 'additionalProperties') {
      field = join(base, v.params?.additionalProperty as string) ?? context ?? null
      fe = { field, message: unknownField(Object.keys(v.parentSchema?.properties ?? {})), code: 'ADDITIONALPROPERTIES' }
      rank = 3
    } else {
      field = join(base) ?? context ?? null
      const message = v.parentSchema ? explain(v.parentSchema, v.data) : v.message ?? 'is invalid'
      fe = { field, message, code: (v.keyword ?? 'invalid').toUpperCase() }
      // The outermost anyOf (reported last) describes every branch: it wins over its branches.
      rank = v.keyword === 'anyOf' ? 2 : 1
    }
    const seen = byField.get(field)
    if (!seen || rank >= seen.rank && !(rank === 1 && seen.rank === 1)) byField.set(field, { fe, rank })
  }
  return [...byField.values()].map((x) => x.fe)
}
