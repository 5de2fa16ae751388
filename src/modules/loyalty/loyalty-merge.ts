import { asc, count, eq, inArray, sql } from 'drizzle-orm'
import type { Action } from '../../db/action.js'
import type { Tx } from '../../db/client.js'
import { customerLevels, memberLevels } from '../../db/schema/member-levels.js'
import { evaluateLevelInAction, setLevelInAction } from '../levels/levels.evaluate.js'
import { levelsRepository } from '../levels/levels.repository.js'
import { couponRedemptions, coupons } from '../../db/schema/coupons.js'
import { pointsAccounts, pointsEntries, pointsLots, pointsRedemptions } from '../../db/schema/points.js'

/**
 * What a customer merge does to loyalty (docs/loyalty.md): the survivor ends with one points
 * account holding every ledger entry, lot and redemption of them all (a refund of a moved
 * order then finds the points it earned), and their coupons. Counts per merged customer.
 */
export async function moveLoyalty(tx: Tx, survivorId: string, mergedIds: string[], at: Date): Promise<Map<string, Record<string, number>>> {
  const moved = new Map(mergedIds.map((id) => [id, {} as Record<string, number>]))
  // In id order, like every other account lock, so a merge cannot deadlock with a redemption.
  const accounts = await tx.select().from(pointsAccounts)
    .where(inArray(pointsAccounts.customerId, [survivorId, ...mergedIds])).orderBy(asc(pointsAccounts.id)).for('update')
  const others = accounts.filter((a) => a.customerId !== survivorId)
  if (others.length > 0) {
    const target = accounts.find((a) => a.customerId === survivorId) ?? others.shift()!
    for (const a of [target, ...others]) if (a.customerId !== survivorId) moved.get(a.customerId!)!.pointsAccounts = 1
    const folded = others.map((a) => a.id)
    if (folded.length > 0) {
      // Entries keep what they say; only the account holding them changes, as a merge re-parents every row.
      await tx.update(pointsEntries).set({ accountId: target.id }).where(inArray(pointsEntries.accountId, folded))
      await tx.update(pointsLots).set({ accountId: target.id }).where(inArray(pointsLots.accountId, folded))
      await tx.update(pointsRedemptions).set({ accountId: target.id }).where(inArray(pointsRedemptions.accountId, folded))
      await tx.delete(pointsAccounts).where(inArray(pointsAccounts.id, folded))
    }
    const balance = accounts.reduce((sum, a) => sum + a.balance, 0)
    await tx.update(pointsAccounts).set({ customerId: survivorId, balance, version: sql`${pointsAccounts.version} + 1`, updatedAt: at })
      .where(sql`${pointsAccounts.id} = ${target.id}`)
  }
  await tx.update(pointsRedemptions).set({ customerId: survivorId }).where(inArray(pointsRedemptions.customerId, mergedIds))

  const held = await tx.select({ customerId: coupons.customerId, n: count() }).from(coupons)
    .where(inArray(coupons.customerId, mergedIds)).groupBy(coupons.customerId)
  for (const h of held) moved.get(h.customerId!)!.coupons = h.n
  if (held.length > 0) {
    await tx.update(coupons).set({ customerId: survivorId, version: sql`${coupons.version} + 1` }).where(inArray(coupons.customerId, mergedIds))
  }
  // Their uses too, so the survivor's per-customer limits count them.
  await tx.update(couponRedemptions).set({ customerId: survivorId }).where(inArray(couponRedemptions.customerId, mergedIds))
  return moved
}

/**
 * The survivor's member level after a merge: the highest any of them held (keeping that
 * level's review date), then up again if their orders and points together qualify for more.
 * The merged customers' levels end; their history stays with them.
 */
export async function mergeLevels(action: Action, survivorId: string, mergedIds: string[], now: Date): Promise<void> {
  const held = await action.tx.select({ customerId: customerLevels.customerId, levelId: customerLevels.levelId, reviewAt: customerLevels.reviewAt, rank: memberLevels.rank })
    .from(customerLevels).innerJoin(memberLevels, eq(memberLevels.id, customerLevels.levelId))
    .where(inArray(customerLevels.customerId, [survivorId, ...mergedIds]))
  const own = held.find((r) => r.customerId === survivorId)
  const best = held.filter((r) => r.customerId !== survivorId).sort((a, b) => b.rank - a.rank)[0]
  if (best && best.rank > (own?.rank ?? 0)) {
    const to = await levelsRepository.byId(action.tx, best.levelId)
    if (to?.active) await setLevelInAction(action, survivorId, to, `merged from customer ${best.customerId}`, best.reviewAt, now)
  }
  if (held.some((r) => r.customerId !== survivorId)) await action.tx.delete(customerLevels).where(inArray(customerLevels.customerId, mergedIds))
  if (await levelsRepository.hasLevelsAboveBase(action.tx)) await evaluateLevelInAction(action, survivorId, now, 'activity')
}
