import { sql, type SQL } from 'drizzle-orm'
import { Type, type Static } from '@sinclair/typebox'
import { Nullable, Uuid } from '../../common/schemas.js'
import { parse } from '../../common/validate.js'
import type { ReportContext } from '../analytics.report.js'
import { ownerScope, teamScope } from '../analytics.scope.js'

/** The filters salesPerformance and pipeline share: a team (owners now in it) and one owner. */
export const OwnerFilters = Type.Object({
  teamId: Type.Optional(Nullable(Uuid)),
  ownerId: Type.Optional(Nullable(Uuid))
}, { additionalProperties: false })
export type OwnerFilterArgs = Static<typeof OwnerFilters>

/** Checked in the service, so GraphQL (ID) and REST callers get the same 400 naming the field. */
export function ownerFilters(args: unknown): OwnerFilterArgs {
  return parse(OwnerFilters, args ?? {})
}

/** Reach, the team filter and the owner filter as one condition on the column naming the owner. */
export function ownerCondition(ctx: ReportContext, args: OwnerFilterArgs, owner: SQL): SQL {
  const own = args.ownerId ? sql`${owner} = ${args.ownerId}` : sql`true`
  return sql`${ownerScope(ctx.actor, ctx.reach, owner)} and ${teamScope(args.teamId, owner)} and ${own}`
}

/** The stages an opportunity is open in, pipeline order (the enum's order in the database). */
export const OPEN_STAGES = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation'] as const
export type OpenStage = typeof OPEN_STAGES[number]

/**
 * A live opportunity (alias o) on a live customer: neither soft-deleted, the customer not
 * merged away (a merge moves opportunities to the survivor, docs/customers.md).
 */
export const liveOpportunity = sql`o.deleted_at is null and exists (select 1 from customers c where c.id = o.customer_id and c.deleted_at is null and c.merged_into_id is null)`

/** Σ amount × probability / 100, rounded to the nearest minor unit, halves away from zero. */
export const weightedSum = sql`round(sum(o.amount::numeric * o.probability) / 100)::bigint`
