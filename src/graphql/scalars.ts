import { GraphQLScalarType, type ValueNode } from 'graphql'
import { DateTimeResolver, JSONResolver, LocalDateResolver, SafeIntResolver } from 'graphql-scalars'

/**
 * DateTime as graphql-scalars checks it, but handed to services as an ISO string: the
 * same shape REST bodies have, so one TypeBox schema validates both.
 */
const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: DateTimeResolver.description,
  serialize: (value) => DateTimeResolver.serialize(value),
  parseValue: (value) => (DateTimeResolver.parseValue(value) as Date).toISOString(),
  parseLiteral: (ast: ValueNode, variables) => (DateTimeResolver.parseLiteral(ast, variables) as Date).toISOString()
})

export const scalarResolvers = {
  DateTime,
  LocalDate: LocalDateResolver,
  JSON: JSONResolver,
  SafeInt: SafeIntResolver
}
