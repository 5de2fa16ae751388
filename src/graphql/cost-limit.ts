import type { FastifyInstance } from 'fastify'
import {
  GraphQLError, Kind, getNamedType, getNullableType, isListType, isObjectType, isInterfaceType,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLField, type GraphQLNamedType,
  type GraphQLSchema, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode, type ValueNode
} from 'graphql'

/** What one request may ask for (docs/integration.md, "GraphQL limits"). */
export type GraphqlLimits = { maxCost: number; maxAliases: number; maxMutations: number; maxDepth: number }

/** A list without `first`/`last`/`limit` (and no default for it) counts as this many items. */
export const UNSIZED_LIST = 10
/** `__schema` reads the whole schema (graphql-js bounds its nesting); `__type` one type. */
const INTROSPECTION_COST: Record<string, number> = { __schema: 5000, __type: 50 }
const SIZE_ARGS = ['first', 'last', 'limit']

export type Measure = { cost: number; aliases: number; mutations: number; depth: number }
type Part = { cost: number; aliases: number; depth: number }
type Variables = Record<string, unknown> | undefined

/**
 * Counts an operation before it runs: every field once per object it is resolved on (a list's
 * size is its `first`/`last`/`limit`, the argument's default when absent, UNSIZED_LIST without
 * one), aliases, root mutation fields, and depth. Fragments count wherever they are spread.
 * With `variables` undefined the count is a lower bound (a size or an @include given by a
 * variable counts as 0 / skipped): a document refused then is refused whatever is sent.
 */
export function measure(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables): Measure {
  const fragments = new Map<string, FragmentDefinitionNode>()
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d)
  const defaults = new Map(operation.variableDefinitions?.map((v) => [v.variable.name.value, v.defaultValue]) ?? [])
  const known = (name: string): { value: unknown } | null => {
    if (variables === undefined) return null
    if (name in variables) return { value: variables[name] }
    const d = defaults.get(name)
    return d ? { value: literal(d, undefined) } : { value: undefined }
  }
  const value = (node: ValueNode): { value: unknown } | null =>
    node.kind === Kind.VARIABLE ? known(node.name.value) : { value: literal(node, variables) }

  const included = (node: SelectionNode): boolean => {
    for (const d of node.directives ?? []) {
      if (d.name.value !== 'skip' && d.name.value !== 'include') continue
      const arg = d.arguments?.find((a) => a.name.value === 'if')
      const v = arg ? value(arg.value) : { value: false }
      if (v === null) return false
      if ((d.name.value === 'skip') === (v.value === true)) return false
    }
    return true
  }

  const memo = new Map<string, Part>()
  const visiting = new Set<string>()
  const fragmentPart = (name: string): Part => {
    const done = memo.get(name)
    if (done) return done
    const fragment = fragments.get(name)
    // A cycle is graphql validation's to refuse; here it adds nothing.
    if (!fragment || visiting.has(name)) return { cost: 0, aliases: 0, depth: 0 }
    visiting.add(name)
    const part = walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), 1, undefined, false)
    visiting.delete(name)
    memo.set(name, part)
    return part
  }

  /** `multiplier`: objects this selection is resolved on; `page`: the enclosing connection's page size. */
  function walk(set: SelectionSetNode, type: GraphQLNamedType | null | undefined, multiplier: number, page: number | undefined, introspection: boolean): Part {
    const total: Part = { cost: 0, aliases: 0, depth: 0 }
    for (const s of set.selections) {
      if (!included(s)) continue
      let part: Part
      if (s.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragmentPart(s.name.value)
        part = { cost: f.cost * multiplier, aliases: f.aliases, depth: f.depth }
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        part = walk(s.selectionSet, s.typeCondition ? schema.getType(s.typeCondition.name.value) : type, multiplier, page, introspection)
      } else {
        part = field(s, type, multiplier, page, introspection)
      }
      total.cost += part.cost
      total.aliases += part.aliases
      total.depth = Math.max(total.depth, part.depth)
    }
    return total
  }

  function field(node: FieldNode, parent: GraphQLNamedType | null | undefined, multiplier: number, page: number | undefined, introspection: boolean): Part {
    const name = node.name.value
    const aliases = node.alias ? 1 : 0
    const def: GraphQLField<unknown, unknown> | undefined = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined
    // Introspection (and __typename) is cheap per field and does not count towards depth.
    if (name.startsWith('__') || introspection) {
      const inner = node.selectionSet ? walk(node.selectionSet, undefined, 1, undefined, true) : { cost: 0, aliases: 0, depth: 0 }
      return { cost: (INTROSPECTION_COST[name] ?? 0) * multiplier, aliases: aliases + inner.aliases, depth: 0 }
    }
    if (!node.selectionSet) return { cost: multiplier, aliases, depth: 1 }
    const sizeArg = def?.args.find((a) => SIZE_ARGS.includes(a.name))
    const given = sizeArg && node.arguments?.find((a) => a.name.value === sizeArg.name)
    const v = given ? value(given.value) : { value: undefined }
    const size = v === null ? 0 : typeof v.value === 'number' ? Math.max(0, v.value) : (sizeArg?.defaultValue as number | undefined)
    let items = multiplier
    let childPage: number | undefined
    if (def && isListType(getNullableType(def.type))) items *= size ?? (name === 'edges' || name === 'nodes' ? page : undefined) ?? UNSIZED_LIST
    else childPage = size
    const inner = walk(node.selectionSet, def ? getNamedType(def.type) : undefined, items, childPage, false)
    return { cost: multiplier + inner.cost, aliases: aliases + inner.aliases, depth: 1 + inner.depth }
  }

  const part = walk(operation.selectionSet, schema.getRootType(operation.operation), 1, undefined, false)
  return { ...part, mutations: operation.operation === 'mutation' ? rootFields(operation.selectionSet, fragments, new Set()) : 0 }
}

/** Mutation fields at the root, through fragments: each one a separate write. */
function rootFields(set: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  let n = 0
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) n += s.name.value === '__typename' ? 0 : 1
    else if (s.kind === Kind.INLINE_FRAGMENT) n += rootFields(s.selectionSet, fragments, seen)
    else if (!seen.has(s.name.value) && fragments.has(s.name.value)) n += rootFields(fragments.get(s.name.value)!.selectionSet, fragments, new Set([...seen, s.name.value]))
  }
  return n
}

function literal(node: ValueNode, variables: Variables): unknown {
  if (node.kind === Kind.INT) return Number(node.value)
  if (node.kind === Kind.BOOLEAN) return node.value
  if (node.kind === Kind.VARIABLE) return variables?.[node.name.value]
  return undefined
}

/** The first limit the document breaks (any of its operations), as the error a client sees; null if none. */
export function checkLimits(schema: GraphQLSchema, document: DocumentNode, variables: Variables, limits: GraphqlLimits): GraphQLError | null {
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue
    const m = measure(schema, document, d, variables)
    const broken =
      m.depth > limits.maxDepth ? ['QUERY_TOO_DEEP', `is ${m.depth} levels deep`, limits.maxDepth, m.depth] as const
        : m.mutations > limits.maxMutations ? ['TOO_MANY_MUTATIONS', `has ${m.mutations} mutations`, limits.maxMutations, m.mutations] as const
          : m.aliases > limits.maxAliases ? ['TOO_MANY_ALIASES', `has ${m.aliases} aliases`, limits.maxAliases, m.aliases] as const
            : m.cost > limits.maxCost ? ['QUERY_TOO_COMPLEX', `costs ${shown(m.cost)}`, limits.maxCost, m.cost] as const
              : null
    if (broken) {
      const [reason, what, limit, found] = broken
      return new GraphQLError(`The ${d.name ? `operation ${d.name.value}` : 'query'} ${what}; the limit is ${limit} (docs/integration.md, "GraphQL limits")`,
        { nodes: d, extensions: { code: 'BAD_USER_INPUT', reason, limit, found: Math.min(found, Number.MAX_SAFE_INTEGER) } })
    }
  }
  return null
}

const shown = (n: number): string => (n > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : String(n))

/**
 * Checks every request before it runs. preValidation sees a document the first time (before
 * graphql's own validation, which is slow on huge documents) without its variables: the lower
 * bound. preExecution runs on every request, cached documents and graphql-jit included, with the
 * variables sent: a query text seen before is counted again with this request's `first`.
 */
export function limitGraphql(app: FastifyInstance, limits: GraphqlLimits): void {
  const refuse = (error: GraphQLError | null): void => {
    if (error) throw Object.assign(new Error(error.message), { errors: [error], statusCode: 400 })
  }
  app.graphql.addHook('preValidation', async (schema, document) => refuse(checkLimits(schema, document, undefined, limits)))
  app.graphql.addHook('preExecution', async (schema, document, _context, variables) => refuse(checkLimits(schema, document, variables ?? {}, limits)))
}
