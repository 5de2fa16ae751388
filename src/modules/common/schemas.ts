import { Type, type TLiteral, type TOptional, type TSchema, type TUnion } from '@sinclair/typebox'

/** Building blocks shared by every area's TypeBox schemas. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
export const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength })
export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'UUID' })
export const ExternalId = Type.String({ minLength: 1, maxLength: 128, pattern: '^\\S(.*\\S)?$', description: "The caller's own id, unique per entity type" })
export const LocalDate = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$', description: 'YYYY-MM-DD' })
// RFC 3339 with an explicit offset; Date.parse decides the rest.
export const DateTimeString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,6})?)?(Z|[+-]\\d{2}:\\d{2})$', description: 'ISO 8601 with offset' })
export const Phone = Type.String({ minLength: 1, maxLength: 32, description: 'Mainland mobile (+86, spaces and dashes allowed) or E.164' })
export const Email = Type.String({ minLength: 3, maxLength: 254 })
export const Tags = Type.Array(Text(50), { maxItems: 50, uniqueItems: true })
export const Attributes = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), { description: 'Custom attributes (JSON object)' })
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
export const MinorUnits = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Integer minor units (fen)' })
/** Money as clients send it: integer minor units, currency defaulting to CNY. */
export const MoneyInput = Type.Object({ amount: MinorUnits, currency: Type.Optional(Currency) }, { additionalProperties: false })
export const MoneyView = Type.Object({ amount: Type.Integer(), currency: Type.String() })
export const ExpectedVersion = Type.Integer({ minimum: 1, description: 'Refuse the change unless the record is at this version' })
/** A closed set of strings; checked the same way by Ajv (REST) and TypeBox (services). */
export const StringEnum = <const T extends readonly [string, ...string[]]>(values: T, description?: string) =>
  Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {}) as unknown as TUnion<TLiteral<T[number]>[]>

/** List query parameters common to every REST list. */
export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  direction: Type.Optional(StringEnum(['asc', 'desc'] as const)),
  createdFrom: Type.Optional(DateTimeString),
  createdTo: Type.Optional(DateTimeString),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 }))
}

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false })
export const ExternalIdParams = Type.Object({ externalId: ExternalId }, { additionalProperties: false })

/** Every property optional: the shape of a PATCH. */
export function optionalAll<T extends Record<string, TSchema>>(props: T): { [K in keyof T]: TOptional<T[K]> } {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)])) as { [K in keyof T]: TOptional<T[K]> }
}
