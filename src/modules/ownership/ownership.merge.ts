import { and, asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Tx } from '../../db/client.js'
import { activities } from '../../db/schema/activities.js'
import { customers } from '../../db/schema/customers.js'
import { leads } from '../../db/schema/leads.js'
import { rewards } from '../../db/schema/incentives.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { orders } from '../../db/schema/orders.js'
import { referrals } from '../../db/schema/referrals.js'
import { referrers } from '../../db/schema/referrers.js'
import { surveyInvitations, surveyResponses } from '../../db/schema/surveys.js'
import { tasks } from '../../db/schema/tasks.js'
import { tickets } from '../../db/schema/tickets.js'

type CustomerRow = typeof customers.$inferSelect
type CustomerOwned = PgTable & { customerId: PgColumn; version: PgColumn; updatedAt: PgColumn }
const ref = (name: string, table: CustomerOwned) => ({ name, table })

/**
 * Every table whose rows point at a customer through `customer_id`: a merge moves them
 * all to the survivor. An area that adds such a table adds one line here.
 */
export const customerReferences = [
  ref('activities', activities),
  ref('opportunities', opportunities),
  ref('tasks', tasks),
  ref('leads', leads),
  ref('referrers', referrers),
  ref('referrals', referrals),
  ref('orders', orders),
  ref('rewards', rewards),
  ref('tickets', tickets)
]

/** Moves every reference from the merged customers to the survivor; counts per merged customer and table. */
export async function moveReferences(tx: Tx, survivorId: string, mergedIds: string[], at: Date): Promise<Map<string, Record<string, number>>> {
  const moved = new Map(mergedIds.map((id) => [id, {} as Record<string, number>]))
  for (const { name, table } of customerReferences) {
    // The merged rows are locked FOR UPDATE, so no reference to them can appear between count and move.
    const counts = await tx.select({ customerId: table.customerId, n: count() }).from(table)
      .where(inArray(table.customerId, mergedIds)).groupBy(table.customerId)
    for (const c of counts) moved.get(c.customerId as string)![name] = c.n
    if (counts.length === 0) continue
    await tx.update(table)
      .set({ customerId: survivorId, version: sql`${table.version} + 1`, updatedAt: at })
      .where(inArray(table.customerId, mergedIds))
  }
  // A referred customer's own rewards are theirs by beneficiary too: the survivor's balance includes them.
  await tx.update(rewards).set({ beneficiaryId: survivorId })
    .where(and(eq(rewards.beneficiaryType, 'referred'), inArray(rewards.beneficiaryId, mergedIds)))
  // Survey invitations and answers (unversioned rows) follow their customer, so the survivor's satisfaction includes them.
  await tx.update(surveyInvitations).set({ customerId: survivorId }).where(inArray(surveyInvitations.customerId, mergedIds))
  await tx.update(surveyResponses).set({ customerId: survivorId }).where(inArray(surveyResponses.customerId, mergedIds))
  // Customers merged earlier into one of these now point at the survivor directly.
  await tx.update(customers).set({ mergedIntoId: survivorId }).where(inArray(customers.mergedIntoId, mergedIds))
  return moved
}

/** Locks the customers in id order (so concurrent merges cannot deadlock), deleted ones included. */
export async function lockCustomers(tx: Tx, ids: string[]): Promise<CustomerRow[]> {
  return tx.select().from(customers).where(inArray(customers.id, ids)).orderBy(asc(customers.id)).for('update')
}

const scalarFields = [
  'birthday', 'address', 'company', 'industry', 'title', 'region', 'sourceChannel', 'ownerId',
  'referrerId', 'referredByReferralId', 'tier'
] as const satisfies readonly (keyof CustomerRow)[]
const contactGroups = [['phoneEnc', 'phoneIdx', 'phoneMasked'], ['emailEnc', 'emailIdx', 'emailMasked'], ['idNumberEnc', 'idNumberIdx', 'idNumberMasked']] as const

/**
 * What the survivor takes from the merged customers (in the order given): each field it
 * lacks from the first that has it, the most recent consent record of them all, their tags
 * and attributes added to its own.
 */
export function absorb(survivor: CustomerRow, merged: CustomerRow[]): Partial<CustomerRow> {
  const out: Partial<CustomerRow> = {}
  const take = <K extends keyof CustomerRow>(key: K, value: CustomerRow[K]) => { (out as Record<K, CustomerRow[K]>)[key] = value }
  for (const field of scalarFields) {
    const donor = survivor[field] == null ? merged.find((m) => m[field] != null) : undefined
    if (donor) take(field, donor[field])
  }
  for (const group of contactGroups) {
    const donor = survivor[group[0]] == null ? merged.find((m) => m[group[0]] != null) : undefined
    if (donor) for (const f of group) take(f, donor[f])
  }
  // Consent is the person's latest answer, whoever held it: a newer refusal beats an older grant.
  const latest = [survivor, ...merged].map((c) => c.consent).filter((c) => c != null)
    .reduce<CustomerRow['consent']>((best, c) => (!best || Date.parse(c.at) > Date.parse(best.at) ? c : best), null)
  if (latest && latest !== survivor.consent) take('consent', latest)
  if (survivor.gender === 'unknown') {
    const donor = merged.find((m) => m.gender !== 'unknown')
    if (donor) take('gender', donor.gender)
  }
  if (!survivor.externalId) {
    const donor = merged.find((m) => m.externalId)
    if (donor) take('externalId', donor.externalId)
  }
  const tags = [...new Set([survivor.tags, ...merged.map((m) => m.tags)].flat())]
  if (tags.length !== survivor.tags.length) take('tags', tags)
  const attributes = [...merged.slice().reverse().map((m) => m.attributes), survivor.attributes]
    .reduce<Record<string, unknown>>((all, one) => Object.assign(all, one), {})
  if (Object.keys(attributes).length !== Object.keys(survivor.attributes).length) take('attributes', attributes)
  return out
}
