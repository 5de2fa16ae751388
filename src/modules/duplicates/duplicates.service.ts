import { alias } from 'drizzle-orm/pg-core'
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, type Page, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { invalid } from '../../errors.js'
import { duplicateReasons, type DuplicateReason } from '../../rules/dedupe.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import type { ServiceDeps } from '../service-deps.js'
import { duplicatePairs, type DuplicateTable } from './duplicates.repository.js'

export type DuplicateEntityName = 'CUSTOMER' | 'REFERRER'
/** Two live records that look like one: feed them to mergeCustomers (survivorId, mergedIds). */
export type DuplicateCandidate = { id: string; entity: DuplicateEntityName; ids: [string, string]; reasons: DuplicateReason[]; score: number }

const tables = {
  CUSTOMER: { table: 'customers', resource: 'customers', columns: customers },
  REFERRER: { table: 'referrers', resource: 'referrers', columns: referrers }
} as const

/** 查重: pairs of likely duplicates among the records the caller can see (docs/customers.md). */
export class DuplicatesService {
  constructor(private readonly deps: ServiceDeps) {}

  /** A keyset page of candidate pairs, best score first; both records of a pair within the caller's read reach. */
  async candidates(actor: Actor, entity: DuplicateEntityName, reasons: readonly DuplicateReason[] | undefined, page: PageRequest): Promise<Page<DuplicateCandidate> & { count: () => Promise<number> }> {
    const spec = tables[entity]
    const reach = authorize(actor, spec.resource, 'read')
    const limit = page.first ?? DEFAULT_PAGE_SIZE
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) throw invalid('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'OUT_OF_RANGE')
    const wanted = reasons && reasons.length > 0 ? reasons : duplicateReasons
    const key = `duplicates:${entity}:${[...wanted].sort().join(',')}`
    const after = page.after ? this.decode(page.after, key) : null
    // The reach filter over each side of the pair: aliased columns render as "a"."owner_id".
    const side = (name: 'a' | 'b') => {
      const x = alias(spec.columns, name)
      return reachFilter(actor, reach, { owner: x.ownerId, ...(entity === 'REFERRER' ? { self: x.id } : {}) })
    }
    const query = { table: spec.table as DuplicateTable, scopeA: side('a'), scopeB: side('b'), reasons: wanted }
    const found = await duplicatePairs(this.deps.db, { ...query, after, limit })
    const kept = found.slice(0, limit)
    const cursors = kept.map((p) => encodeCursor(key, `${p.score}|${p.a}`, p.b))
    return {
      rows: kept.map((p) => ({ id: `${p.a}:${p.b}`, entity, ids: [p.a, p.b], reasons: p.reasons, score: Number(p.score) })),
      hasNextPage: found.length > limit, endCursor: cursors.at(-1) ?? null, cursors,
      count: async () => Number((await duplicatePairs(this.deps.db, { ...query, after: null, limit: 'count' }))[0]?.a ?? 0)
    }
  }

  private decode(cursor: string, key: string): { score: string; a: string; b: string } {
    const { value, id } = decodeCursor(cursor, key)
    const m = /^(\d+(?:\.\d+)?)\|([0-9a-f-]{36})$/i.exec(value ?? '')
    if (!m) throw invalid('after', 'is not a cursor of this list', 'INVALID_CURSOR')
    return { score: m[1], a: m[2], b: id }
  }
}
