/**
 * The two workloads, built from the running app's schema (introspected): the nested page selects
 * Customer.referrer and Customer.activities only once the schema has them, and the
 * plain baseline reads exactly the same relations (PageShape).
 */
import type { PageShape } from './plain-server.js'

export const pointQuery = 'query($id: ID!){ customer(id:$id){ id name phone email company ownerId: owner { id } } }'

export type Workloads = { shape: PageShape; pageQuery: string; missing: string[] }

/** A type's fields as introspection tells them: name, argument names, the named type beneath lists and non-nulls. */
export type TypeFields = Record<string, { args: string[]; type: string }>
export type TypeLookup = (name: string) => Promise<TypeFields | null>

// Shallow on purpose: the app limits query depth to 12, too little for getIntrospectionQuery().
export const typeQuery = `query($name: String!) { __type(name: $name) { fields {
  name args { name } type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } }`

type TypeRef = { name: string | null; ofType?: TypeRef | null }
/** Turns a `typeQuery` answer into TypeFields. */
export function toTypeFields(answer: { data?: { __type?: { fields: { name: string; args: { name: string }[]; type: TypeRef }[] } | null } }): TypeFields | null {
  const type = answer.data?.__type
  if (!type) return null
  const named = (t: TypeRef | null | undefined): string => (t ? t.name ?? named(t.ofType) : '')
  return Object.fromEntries(type.fields.map((f) => [f.name, { args: f.args.map((a) => a.name), type: named(f.type) }]))
}

const ACTIVITIES = 5

/** The nested page query for the running app's schema, and which relations it reads. */
export async function buildWorkloads(lookup: TypeLookup): Promise<Workloads> {
  const fields = (await lookup('Customer'))!
  const missing: string[] = []
  const parts = ['id name owner { id name }']

  const referrer = fields.referrer && await lookup(fields.referrer.type)
  if (referrer && 'id' in referrer && 'name' in referrer) parts.push('referrer { id name }')
  else missing.push('Customer.referrer')

  let activityCount = 0
  const activities = fields.activities
  const target = activities?.args.includes('first') ? await lookup(activities.type) : null
  if (target) {
    // A plain list, or a Relay connection (edges { node }).
    const edge = target.edges ? await lookup(target.edges.type) : null
    const node = edge?.node ? await lookup(edge.node.type) : target
    const selection = ['id', 'kind', 'occurredAt'].filter((f) => node && f in node).join(' ')
    parts.push(edge ? `activities(first: ${ACTIVITIES}) { edges { node { ${selection} } } }` : `activities(first: ${ACTIVITIES}) { ${selection} }`)
    activityCount = ACTIVITIES
  } else {
    missing.push('Customer.activities(first:)')
  }
  return {
    shape: { referrer: !missing.includes('Customer.referrer'), activities: activityCount },
    pageQuery: `{ customers(first: 50) { edges { node { ${parts.join(' ')} } } } }`,
    missing
  }
}

type PageNode = { id: string; owner: { id: string } | null; referrer?: { id: string } | null; activities?: unknown }

/** Activities of a node whether the field is a list or a connection. */
export function activitiesOf(node: PageNode): unknown[] {
  const a = node.activities as { edges?: { node: unknown }[] } | unknown[] | undefined
  if (Array.isArray(a)) return a
  return a?.edges?.map((e) => e.node) ?? []
}

/**
 * Refuses to time a broken workload: 50 edges, every relation present, and the same
 * customers in the same order as the plain page.
 */
export function checkPage(shape: PageShape, gql: { data?: { customers?: { edges: { node: PageNode }[] } }; errors?: unknown[] }, plain: { customers: PageNode[] }): string[] {
  const problems: string[] = []
  if (gql.errors?.length) problems.push(`GraphQL errors: ${JSON.stringify(gql.errors).slice(0, 500)}`)
  const nodes = gql.data?.customers?.edges.map((e) => e.node) ?? []
  if (nodes.length !== 50) problems.push(`GraphQL page has ${nodes.length} edges, not 50`)
  if (plain.customers.length !== 50) problems.push(`plain page has ${plain.customers.length} rows, not 50`)
  if (nodes.some((n) => !n.owner)) problems.push('a GraphQL node has no owner')
  if (shape.referrer && nodes.some((n) => !n.referrer)) problems.push('a GraphQL node has no referrer')
  if (shape.activities && nodes.some((n) => activitiesOf(n).length !== shape.activities)) problems.push(`a GraphQL node has not ${shape.activities} activities`)
  if (shape.activities && plain.customers.some((n) => activitiesOf(n).length !== shape.activities)) problems.push(`a plain row has not ${shape.activities} activities`)
  const same = nodes.length === plain.customers.length && nodes.every((n, i) => n.id === plain.customers[i].id
    && n.owner?.id === plain.customers[i].owner?.id && (!shape.referrer || n.referrer?.id === plain.customers[i].referrer?.id)
    && JSON.stringify(activitiesOf(n).map((a) => (a as { id: string }).id)) === JSON.stringify(activitiesOf(plain.customers[i]).map((a) => (a as { id: string }).id)))
  if (!same) problems.push('GraphQL and plain pages disagree (ids, owners, referrers or activities)')
  return problems
}

type Point = { id: string; name: string; phone: string | null; email: string | null; company: string | null }

/** The point read answers the same customer, with clear PII, on both sides. */
export function checkPoint(gql: { data?: { customer?: Point & { ownerId: { id: string } | null } | null }; errors?: unknown[] }, plain: Point & { owner: { id: string } | null }): string[] {
  const c = gql.data?.customer
  if (gql.errors?.length || !c) return [`GraphQL point read failed: ${JSON.stringify(gql).slice(0, 300)}`]
  const same = c.id === plain.id && c.name === plain.name && c.phone === plain.phone && c.email === plain.email
    && c.company === plain.company && c.ownerId?.id === plain.owner?.id
  if (!same) return [`point reads disagree: ${JSON.stringify(c)} vs ${JSON.stringify(plain)}`]
  if (!c.phone || c.phone.includes('*')) return ['point read did not return a clear phone']
  return []
}
