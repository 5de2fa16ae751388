import { sql, type SQL } from 'drizzle-orm'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope } from '../analytics.scope.js'

/**
 * The reach of a row held by a customer or a referrer (a points account, a coupon; `holder` is
 * its alias): its holder's owner — a customer's owner, a referrer's relationship owner —
 * reach.ts's rule. A row without a holder (a coupon not handed out) is only in `all`, which
 * needs no joins.
 */
export function holderScope(ctx: ReportContext, holder: 'a' | 'cp'): { joins: SQL; where: SQL } {
  if (ctx.reach === 'all') return { joins: sql``, where: sql`true` }
  const h = sql.raw(holder)
  return {
    joins: sql` left join customers c on c.id = ${h}.customer_id left join referrers f on f.id = ${h}.referrer_id`,
    where: sql`(${ownerScope(ctx.actor, ctx.reach, sql`c.owner_id`)} or ${ownerScope(ctx.actor, ctx.reach, sql`f.owner_id`)})`
  }
}
