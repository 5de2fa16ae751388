import {
  getArgumentValues, getNamedType, isLeafType, isObjectType, Kind,
  type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode, type ValueNode
} from 'graphql'
import { wantFor, type GraphSpec, type GraphWant } from '../db/graph-read.js'

/** One selected field, merged over aliases and fragments. */
export type SelectedField = {
  name: string
  /** Coerced arguments (variables and defaults applied). */
  args: Record<string, unknown>
  /** A scalar or enum: no sub-selection. */
  leaf: boolean
  /** The schema has a resolver (or loader) for it: not a plain property of the parent. */
  resolved: boolean
  /** Sub-selection of an object field. */
  children?: Selection
}

/** The fields selected on one object type. */
export type Selection = { type: GraphQLObjectType; fields: Map<string, SelectedField> }

/**
 * What a query selects beneath the current field, following `path` (e.g. `['edges',
 * 'node']` for a connection), so a resolver can read everything in one statement.
 * Null when the selection uses what a plan should not guess at: directives, a field
 * asked twice with different arguments, abstract types, fragments on other types.
 */
export function selectionAt(info: GraphQLResolveInfo, path: readonly string[]): Selection | null {
  let type = getNamedType(info.returnType)
  let nodes: readonly FieldNode[] = info.fieldNodes
  for (const step of path) {
    if (!isObjectType(type)) return null
    const next = nodes.flatMap((n) => (n.selectionSet ? fieldNodesNamed(info, type as GraphQLObjectType, n.selectionSet, step) ?? [null] : []))
    if (next.includes(null)) return null
    nodes = next as FieldNode[]
    const field = type.getFields()[step]
    if (!field || nodes.length === 0) return null
    type = getNamedType(field.type)
  }
  return isObjectType(type) ? collect(info, type, nodes) : null
}

function collect(info: GraphQLResolveInfo, type: GraphQLObjectType, nodes: readonly FieldNode[]): Selection | null {
  const byName = new Map<string, FieldNode[]>()
  for (const node of nodes) {
    if (!node.selectionSet) continue
    if (!addFields(info, type, node.selectionSet, byName)) return null
  }
  const fields = new Map<string, SelectedField>()
  const defs = type.getFields()
  for (const [name, list] of byName) {
    if (name === '__typename') continue
    const def = defs[name]
    if (!def) return null
    const args = getArgumentValues(def, list[0], info.variableValues)
    const same = JSON.stringify(args)
    if (list.some((n) => JSON.stringify(getArgumentValues(def, n, info.variableValues)) !== same)) return null
    const named = getNamedType(def.type)
    const selected: SelectedField = { name, args, leaf: isLeafType(named), resolved: typeof def.resolve === 'function' }
    if (!selected.leaf) {
      if (!isObjectType(named)) return null
      const children = collect(info, named, list)
      if (!children) return null
      selected.children = children
    }
    fields.set(name, selected)
  }
  return { type, fields }
}

/** Adds the field nodes of a selection set (through fragments on this type) by field name; false if unplannable. */
function addFields(info: GraphQLResolveInfo, type: GraphQLObjectType, set: SelectionSetNode, into: Map<string, FieldNode[]>): boolean {
  for (const s of set.selections) {
    if (s.directives?.length) return false
    if (s.kind === Kind.FIELD) {
      if (s.arguments?.some((a) => usesVariable(a.value))) variableArgs.add(info)
      const list = into.get(s.name.value)
      if (list) list.push(s)
      else into.set(s.name.value, [s])
    } else {
      const fragment = s.kind === Kind.INLINE_FRAGMENT ? s : info.fragments[s.name.value]
      if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== type.name)) return false
      if (fragment.directives?.length) return false
      if (!addFields(info, type, fragment.selectionSet, into)) return false
    }
  }
  return true
}

function fieldNodesNamed(info: GraphQLResolveInfo, type: GraphQLObjectType, set: SelectionSetNode, name: string): FieldNode[] | null {
  const byName = new Map<string, FieldNode[]>()
  return addFields(info, type, set, byName) ? byName.get(name) ?? [] : null
}

// Infos whose selection had an argument from a variable: their plan may differ per request.
const variableArgs = new WeakSet<GraphQLResolveInfo>()
// Plans by the query's own field node (the parsed query is cached and reused by mercurius).
const plans = new WeakMap<FieldNode, Map<string, GraphWant | null>>()

/** The one-statement read plan for what the query selects at `path`, or null (resolve field by field). */
export function graphWant(info: GraphQLResolveInfo, path: readonly string[], spec: GraphSpec): GraphWant | null {
  const node = info.fieldNodes[0]
  const key = path.join('.')
  const known = plans.get(node)?.get(key)
  if (known !== undefined) return known
  const selection = selectionAt(info, path)
  const want = selection ? wantFor(spec, selection.fields) : null
  // Same query text, same plan, unless a variable feeds an argument beneath this field.
  if (info.fieldNodes.length === 1 && !variableArgs.has(info)) {
    let byPath = plans.get(node)
    if (!byPath) plans.set(node, (byPath = new Map()))
    byPath.set(key, want)
  }
  return want
}

function usesVariable(value: ValueNode): boolean {
  if (value.kind === Kind.VARIABLE) return true
  if (value.kind === Kind.LIST) return value.values.some(usesVariable)
  if (value.kind === Kind.OBJECT) return value.fields.some((f) => usesVariable(f.value))
  return false
}
