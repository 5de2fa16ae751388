import type { SQL } from 'drizzle-orm'
import type { Actor } from '../auth/actor.js'
import { isUuid } from '../common/validate.js'
import { scoringConfigOf } from '../scoring/scoring.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { scoresRepository, type RfmRow } from './customers.scores.js'

/** RFM sums orders as one currency (docs/scoring.md): the deployment's. */
const SCORE_CURRENCY = 'CNY'

export type CustomerRfm = {
  recency: number
  frequency: number
  monetary: { amount: number; currency: string }
  r: number; f: number; m: number
  segment: string
  computedAt: Date
}

export type SegmentCounts = {
  computedAt: Date | null
  total: number
  scored: number
  unscored: number
  segments: { segment: string; count: number }[]
}

function rfmView({ customerId: _c, monetary, ...row }: RfmRow): CustomerRfm {
  return { ...row, monetary: { amount: monetary, currency: SCORE_CURRENCY } }
}

/**
 * Reads of the stored RFM scores: Customer.rfm and the counts per segment. The recompute
 * (src/modules/scoring) writes them; scores are current as of its last run. Both reads are
 * limited to the customers the actor may read, as customer lists are.
 */
export class CustomerRfmService {
  private segmentNames?: readonly string[]

  constructor(private readonly deps: ServiceDeps, private readonly scope: (actor: Actor) => SQL | undefined) {}

  /** Batched for Customer.rfm: the scores of each customer, in the order asked, null where unscored or unseen. */
  async of(actor: Actor, ids: readonly string[]): Promise<(CustomerRfm | null)[]> {
    const scope = this.scope(actor)
    const rows = await scoresRepository.rfmOf(this.deps.db, [...new Set(ids.filter(isUuid))], scope)
    const byId = new Map(rows.map((r) => [r.customerId, rfmView(r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** REST reads: the customers with their `rfm` (null while unscored), in one query for the lot. */
  async attach<T extends { id: string }>(actor: Actor, list: T[]): Promise<(T & { rfm: CustomerRfm | null })[]> {
    const scores = await this.of(actor, list.map((c) => c.id))
    return list.map((c, i) => Object.assign(c, { rfm: scores[i] }))
  }

  /**
   * Live customers within the actor's reach per segment, as of the last recompute. Every
   * configured segment is listed, in the segment table's order, with 0 when empty; a name no
   * longer configured (scored under an earlier table) follows, largest first.
   */
  async segments(actor: Actor): Promise<SegmentCounts> {
    const { asOf, groups } = await scoresRepository.segmentCounts(this.deps.db, this.scope(actor))
    const counts = new Map<string, number>(this.configuredSegments().map((name) => [name, 0]))
    const others = new Map<string, number>()
    let total = 0
    let scored = 0
    for (const g of groups) {
      total += g.n
      if (!g.scored) continue
      scored += g.n
      if (g.segment === null) continue
      const into = counts.has(g.segment) ? counts : others
      into.set(g.segment, (into.get(g.segment) ?? 0) + g.n)
    }
    const rest = [...others].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    return {
      computedAt: asOf, total, scored, unscored: total - scored,
      segments: [...counts, ...rest].map(([segment, count]) => ({ segment, count }))
    }
  }

  private configuredSegments(): readonly string[] {
    this.segmentNames ??= [...new Set(scoringConfigOf(this.deps.config).segments.map((row) => row.segment))]
    return this.segmentNames
  }
}
