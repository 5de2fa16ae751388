import { GraphQLScalarType, type ValueNode } from 'graphql'
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

export const scalarResolvers = {
  DateTime,
  LocalDate: LocalDateResolver,
  JSON: JSONResolver,
  SafeInt: SafeIntResolver
}
