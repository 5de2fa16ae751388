import { GraphQLEnumType, GraphQLError, GraphQLInputObjectType, Kind, parse, visit, type ASTNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql'
import { getVariableValues } from 'graphql/execution/values.js'
import type { FieldError } from '../errors.js'
import { REQUIRED, unknownField } from './schema-explain.js'

/**
 * graphql-js's own input errors ("Variable "$i" got invalid value …; Expected type …",
 * "Expected value of type …, found …") as one FieldError: the field's path (`$i.stage`
 * for a variable, `createLead.input.stage` inline), what is wrong and what is allowed
 * (the enum's values, an input type's fields), in the wording src/i18n translates. The
 * value itself is not repeated (it may be personal data). Null when the error is another kind.
 */
export function graphqlInputError(message: string, node: ASTNode | undefined, schema: GraphQLSchema, query: unknown): FieldError | null {
  const variable = /^Variable "\$(\w+)" /.exec(message)
  if (variable) {
    if (/^Variable "\$\w+" of required type "[^"]+" was not provided\.$/.test(message)) return { field: `$${variable[1]}`, message: REQUIRED, code: 'REQUIRED' }
    if (/^Variable "\$\w+" of non-null type "[^"]+" must not be null\.$/.test(message)) return { field: `$${variable[1]}`, message: 'must not be null', code: 'INVALID' }
    const at = [...message.matchAll(/ at "([\w.[\]]+)"; /g)].pop()
    const inner = [...message.matchAll(/; (?=Field "|Value |Enum "|Expected |\w+ cannot represent )/g)].pop()
    if (!inner) return null
    const path = `$${(at ? at[1] : variable[1]).replace(/\[(\d+)\]/g, '.$1')}`
    return explainInner(message.slice(inner.index + 2), path, schema)
  }
  const literal = /^Expected value of type "([^"]+)", found .*$/s.exec(message)
  const argument = /^Field "(\w+)" argument "(\w+)" of type "[^"]+" is required, but it was not provided\.$/.exec(message)
  const scalar = /^(\w+) cannot represent|^Value is not a valid (\w+)/.exec(message)
  if (!literal && !argument && !scalar && !/^(Field "[\w.]+" (of required type|is not defined)|Value "|Enum ")/.test(message)) return null
  const path = node ? nodePath(query, node) : null
  if (argument) return { field: `${path ?? argument[1]}.${argument[2]}`, message: REQUIRED, code: 'REQUIRED' }
  if (path === null) return null
  if (scalar) return { field: path, message: `is not a valid value for ${scalar[1] ?? scalar[2]}`, code: 'INVALID' }
  if (literal) {
    const named = schema.getType(literal[1].replace(/[[\]!]/g, ''))
    if (named instanceof GraphQLEnumType) return allowed(path, named)
    return { field: path, message: `is not a valid value for ${literal[1].replace(/!$/, '')}`, code: 'INVALID' }
  }
  return explainInner(message, path, schema)
}

function explainInner(inner: string, path: string, schema: GraphQLSchema): FieldError | null {
  let m = /^Field "(?:\w+\.)?(\w+)" of required type "[^"]+" was not provided\./.exec(inner)
  if (m) return { field: path.endsWith(`.${m[1]}`) ? path : `${path}.${m[1]}`, message: REQUIRED, code: 'REQUIRED' }
  m = /^Field "(\w+)" is not defined by type "(\w+)"\./.exec(inner)
  if (m) {
    const type = schema.getType(m[2])
    const known = type instanceof GraphQLInputObjectType ? Object.keys(type.getFields()) : []
    return { field: path.endsWith(`.${m[1]}`) ? path : `${path}.${m[1]}`, message: unknownField(known), code: 'UNKNOWN_FIELD' }
  }
  m = /^(?:Value ".*" does not exist in "(\w+)" enum|Enum "(\w+)" cannot represent)/s.exec(inner)
  if (m) {
    const type = schema.getType(m[1] ?? m[2])
    if (type instanceof GraphQLEnumType) return allowed(path, type)
  }
  m = /^Expected type "(\w+)" to be an object\./.exec(inner)
  if (m) return { field: path, message: 'must be of type object', code: 'INVALID' }
  m = /^(\w+) cannot represent/.exec(inner) ?? /^Value is not a valid (\w+)/.exec(inner)
  if (m) return { field: path, message: `is not a valid value for ${m[1]}`, code: 'INVALID' }
  return { field: path, message: 'is invalid', code: 'INVALID' }
}

function allowed(field: string, type: GraphQLEnumType): FieldError {
  return { field, message: `is not one of the allowed values; allowed values: ${type.getValues().map((v) => v.name).join(', ')}`, code: 'INVALID' }
}

/** `createLead.input.stage`: the field, argument and input fields down to an inline value (by its position in the query). */
function nodePath(query: unknown, node: ASTNode): string | null {
  const start = node.loc?.start
  if (typeof query !== 'string' || start === undefined) return null
  let found: string | null = null
  try {
    visit(parse(query), {
      enter(n, _key, parent, _path, ancestors) {
        if (found !== null) return false
        if (n.loc?.start !== start || n.kind !== node.kind) return undefined
        const names: string[] = []
        // visit's ancestors stop short of the parent.
        for (const a of [...ancestors, parent, n] as ASTNode[]) {
          if (!a || Array.isArray(a)) continue
          if (a.kind === Kind.FIELD || a.kind === Kind.ARGUMENT || a.kind === Kind.OBJECT_FIELD) names.push(a.name.value)
        }
        found = names.join('.')
        return false
      }
    })
  } catch {
    return null
  }
  return found
}


/** Whether an error is a variable's coercion error (graphql-js's or graphql-jit's wording). */
export const isVariableError = (e: GraphQLError) => !e.path && /^Variable "\$\w+" /.test(e.message)

/**
 * The request's variable errors as graphql-js words them. Mercurius' JIT coerces variables
 * with messages of its own that lose the path of a nested field ("$gender" for
 * `$i.gender`); coercing again with graphql-js gives the full path, once per field.
 */
export function variableErrors(schema: GraphQLSchema, query: unknown, operationName: unknown, variables: unknown): GraphQLError[] {
  if (typeof query !== 'string') return []
  try {
    const operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    const operation = typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations[0]
    if (!operation) return []
    const inputs = variables !== null && typeof variables === 'object' ? variables as Record<string, unknown> : {}
    return [...getVariableValues(schema, operation.variableDefinitions ?? [], inputs, { maxErrors: 50 }).errors ?? []]
  } catch {
    return []
  }
}
