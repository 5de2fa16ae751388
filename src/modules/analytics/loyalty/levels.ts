import { sql } from 'drizzle-orm'
import { rows } from '../../../db/rows.js'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'
import type { LevelCount } from './loyalty.views.js'

type CountRow = { level_id: string | null; customers: number }
type LevelRow = { id: string; key: string; name_zh: string; name_en: string; rank: number; active: boolean }

/**
 * The base level: the active level of lowest rank (the seeded `member`), the one a customer
 * without a customer_levels row is at (as points earning reads it, src/modules/points/points.hooks.ts).
 */
const BASE_LEVEL = sql`(select ml.id from member_levels ml where ml.deleted_at is null and ml.active order by ml.rank limit 1)`

/**
 * Customers per member level now (not period-bound): live customers (not deleted, not merged
 * away) in reach, by their customer_levels row, else at the base level. Every level that is
 * not deleted is listed (zeros too), by rank; a deleted level only while customers hold it.
 */
export async function levelCounts(ctx: ReportContext): Promise<{ asOf: Date; total: number; byLevel: LevelCount[] }> {
  const counts = await rows<CountRow>(ctx.deps.db, sql`
    select coalesce(cl.level_id, ${BASE_LEVEL})::text as level_id, count(*)::int as customers
    from customers c left join customer_levels cl on cl.customer_id = c.id
    where c.deleted_at is null and c.merged_into_id is null and ${ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`)}
    group by 1`)
  const held = counts.map((r) => r.level_id).filter((id): id is string => id !== null)
  const levels = await rows<LevelRow>(ctx.deps.db, sql`
    select id::text, key, name_zh, name_en, rank, active and deleted_at is null as active from member_levels
    where deleted_at is null ${held.length ? sql`or id in (${sql.join(held.map((id) => sql`${id}::uuid`), sql`, `)})` : sql``}
    order by rank, key, id`)
  const byId = new Map(counts.map((r) => [r.level_id, r.customers]))
  const byLevel: LevelCount[] = levels.map((l) => ({
    levelId: l.id, key: l.key, nameZh: l.name_zh, nameEn: l.name_en, rank: l.rank, active: l.active, customers: byId.get(l.id) ?? 0
  }))
  // No base level at all (every level deleted or inactive): customers without a row are listed without one.
  const none = byId.get(null)
  if (none) byLevel.push({ levelId: null, key: null, nameZh: null, nameEn: null, rank: null, active: false, customers: none })
  return { asOf: ctx.now, total: counts.reduce((s, r) => s + r.customers, 0), byLevel }
}
