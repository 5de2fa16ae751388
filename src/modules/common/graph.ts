import type { GraphSpec, GraphWant } from '../../db/graph-read.js'
import type { Actor } from '../auth/actor.js'
import { authorize, type Entity } from '../auth/permissions.js'

/**
 * Whether a selection may be read in one statement for this actor: every folded
 * relation must be readable, and a relation whose loader limits rows by reach only
 * when that reach is unlimited, so the answer is exactly what the loaders would give.
 * Otherwise the resolvers load field by field, as always.
 */
export function canReadGraph(actor: Actor, spec: GraphSpec, want: GraphWant): boolean {
  try {
    return want.relations.every((r) => {
      const rel = spec.relations[r.name]
      const reach = authorize(actor, rel.entity as Entity, 'read')
      return !rel.scoped || reach === 'all'
    })
  } catch {
    return false
  }
}
