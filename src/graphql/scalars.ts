import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql'
import { DateTimeResolver, JSONResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars'

/**
 * DateTime as graphql-scalars checks it, but handed to services as an ISO string: the
 * same shape REST bodies have, so one TypeBox schema validates both.
 */
const CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/
const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: DateTimeResolver.description,
  // Already in the API's form (from SQL, src/db/graph-read.ts): passed through unparsed.
  serialize: (value) => (typeof value === 'string' && CANONICAL.test(value) ? value : DateTimeResolver.serialize(value)),
  parseValue: (value) => (DateTimeResolver.parseValue(value) as Date).toISOString(),
  parseLiteral: (ast: ValueNode, variables) => (DateTimeResolver.parseLiteral(ast, variables) as Date).toISOString()
})

type Variables = { readonly [name: string]: unknown } | null | undefined

/**
 * A JSON literal as JSON.parse would build the same value sent as a variable: plain objects
 * (graphql-scalars makes null-prototype ones, which drizzle's jsonb mapping cannot handle),
 * a "__proto__" key kept as data, an absent $variable dropped like an undefined key.
 */
function jsonLiteral(ast: ValueNode, variables: Variables): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value)
    case Kind.NULL:
      return null
    case Kind.VARIABLE:
      return variables?.[ast.name.value]
    case Kind.LIST:
      return ast.values.map((item) => jsonLiteral(item, variables) ?? null)
    case Kind.OBJECT: {
      const object: Record<string, unknown> = {}
      for (const field of ast.fields) {
        const value = jsonLiteral(field.value, variables)
        if (value !== undefined) Object.defineProperty(object, field.name.value, { value, enumerable: true, writable: true, configurable: true })
      }
      return object
    }
    case Kind.ENUM:
      throw new GraphQLError(`JSON has no bare words: write "${ast.value}" in quotes`, { nodes: ast })
  }
}

function containsVariable(ast: ValueNode): boolean {
  if (ast.kind === Kind.VARIABLE) return true
  if (ast.kind === Kind.LIST) return ast.values.some(containsVariable)
  if (ast.kind === Kind.OBJECT) return ast.fields.some((f) => containsVariable(f.value))
  return false
}

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: JSONResolver.description,
  specifiedByURL: JSONResolver.specifiedByURL,
  serialize: JSONResolver.serialize,
  parseValue: JSONResolver.parseValue,
  parseLiteral: jsonLiteral
})
/**
 * graphql-jit (mercurius `jit`) parses literals once, when it compiles a query, through this
 * hook when a scalar has it, and with no variables: a literal holding a $variable would keep
 * the first request's value (or none). Refusing it here makes the compile fail, and mercurius
 * then runs that query with graphql-js, which parses literals per request.
 */
Object.assign(JSONScalar, {
  coerceInputLiteral: (ast: ValueNode) => {
    if (containsVariable(ast)) throw new TypeError('a JSON literal with variables is parsed per request')
    return jsonLiteral(ast, undefined)
  }
})

export const scalarResolvers = {
  DateTime,
  LocalDate: LocalDateResolver,
  JSON: JSONScalar,
  SafeInt: SafeIntResolver
}
