import { Kind, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql'

/** The parts of a GraphQL-over-HTTP body that decide what a request does. */
export type GraphqlBody = { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown }

export function asGraphqlBody(body: unknown): GraphqlBody | null {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? body as GraphqlBody : null
}

/** `extensions.idempotencyKey`, the GraphQL-native way to send the key; undefined when absent. */
export function extensionKey(body: GraphqlBody): unknown {
  const ext = body.extensions
  return ext !== null && typeof ext === 'object' ? (ext as { idempotencyKey?: unknown }).idempotencyKey : undefined
}

/**
 * Whether the operation the body selects is a mutation. A document that does not parse,
 * or names no single operation, is not: GraphQL itself refuses it, and there is nothing
 * to make idempotent.
 */
export function isMutation(body: GraphqlBody): boolean {
  if (typeof body.query !== 'string') return false
  let document: DocumentNode
  try {
    document = parse(body.query, { noLocation: true })
  } catch {
    return false
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  const name = typeof body.operationName === 'string' ? body.operationName : null
  const selected = name === null ? (operations.length === 1 ? operations[0] : undefined) : operations.find((o) => o.name?.value === name)
  return selected?.operation === 'mutation'
}

/** The request as the fingerprint sees it: query text, operation and variables; other extensions do not count. */
export function graphqlFingerprintBody(body: GraphqlBody): unknown {
  return { query: body.query ?? null, operationName: body.operationName ?? null, variables: body.variables ?? null }
}
