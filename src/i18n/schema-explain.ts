/**
 * One English sentence for a value a JSON Schema refuses: what is wrong and what is
 * allowed (the format, the allowed values, the limits), from the schema itself. Works on
 * plain JSON Schema keywords, so TypeBox (services) and ajv (routes) say the same thing.
 * Parts are joined by "; " so src/i18n/translate.ts can translate each one. Values are
 * not echoed (a refused phone must not land in a log); their length or count is.
 */
export type Schema = {
  type?: string | string[]; anyOf?: Schema[]; const?: unknown; enum?: unknown[]
  pattern?: string; format?: string; description?: string
  minLength?: number; maxLength?: number; minimum?: number; maximum?: number
  exclusiveMinimum?: number; exclusiveMaximum?: number; multipleOf?: number
  minItems?: number; maxItems?: number; uniqueItems?: boolean
  minProperties?: number; maxProperties?: number; properties?: Record<string, Schema>
}

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

function branches(schema: Schema): Schema[] {
  return schema.anyOf ? schema.anyOf.flatMap(branches) : [schema]
}

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value

function fits(schema: Schema, value: unknown): boolean {
  if (schema.const !== undefined) return schema.const === value
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type]
  const t = typeOf(value)
  return types.length === 0 || types.includes(t) || (t === 'integer' && types.includes('number'))
}

export function explain(schema: Schema, value: unknown): string {
  const all = branches(schema)
  const nullable = all.some((b) => b.type === 'null')
  const options = all.filter((b) => b.type !== 'null')
  const orNull = nullable ? '; null is also allowed' : ''
  if (value === null && !nullable) return 'must not be null'
  if (options.length > 1 && options.every((b) => b.const !== undefined)) {
    return `is not one of the allowed values; allowed values: ${options.map((b) => String(b.const)).join(', ')}${orNull}`
  }
  if (options.length === 1 && options[0].enum) return `is not one of the allowed values; allowed values: ${options[0].enum.join(', ')}${orNull}`
  const match = options.find((b) => fits(b, value))
  if (!match) {
    const types = [...new Set(options.map((b) => (b.const !== undefined ? JSON.stringify(b.const) : String(b.type ?? 'value'))))]
    return `must be of type ${types.join(' or ')}${orNull}`
  }
  return (single(match, value) ?? 'is invalid') + orNull
}

function single(s: Schema, value: unknown): string | null {
  if (s.const !== undefined && s.const !== value) return `must be ${JSON.stringify(s.const)}`
  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) return s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters long; got ${value.length}`
    if (s.maxLength !== undefined && value.length > s.maxLength) return `must be at most ${s.maxLength} characters long; got ${value.length}`
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) {
      if (s.pattern === UUID_PATTERN) return 'must be a UUID; format: 8-4-4-4-12 hexadecimal digits, e.g. 3f2b9c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b'
      return s.description ? `does not have the expected format; format: ${s.description}` : `does not have the expected format; pattern: ${s.pattern}`
    }
    if (s.format !== undefined) return `does not have the expected format; format: ${s.format}`
  }
  if (typeof value === 'number') {
    if (s.type === 'integer' && !Number.isInteger(value)) return 'must be of type integer'
    if (s.minimum !== undefined && value < s.minimum) return `must be at least ${s.minimum}`
    if (s.maximum !== undefined && value > s.maximum) return `must be at most ${s.maximum}`
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) return `must be greater than ${s.exclusiveMinimum}`
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) return `must be less than ${s.exclusiveMaximum}`
    if (s.multipleOf !== undefined && value % s.multipleOf !== 0) return `must be a multiple of ${s.multipleOf}`
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return `must have at least ${s.minItems} items; got ${value.length}`
    if (s.maxItems !== undefined && value.length > s.maxItems) return `must have at most ${s.maxItems} items; got ${value.length}`
    if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size < value.length) return 'must not contain the same item twice'
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const n = Object.keys(value).length
    if (s.minProperties !== undefined && n < s.minProperties) return `must have at least ${s.minProperties} fields; got ${n}`
    if (s.maxProperties !== undefined && n > s.maxProperties) return `must have at most ${s.maxProperties} fields; got ${n}`
  }
  return null
}

export const REQUIRED = 'is required'
export const unknownField = (known: string[]) =>
  known.length ? `is not a known field; allowed fields: ${known.join(', ')}` : 'is not a known field'
