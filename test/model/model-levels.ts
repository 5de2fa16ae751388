import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * Member levels in the model: two levels above the base, qualified by net paid spend (every
 * model order is paid now, inside the 12-month window). Up at once with an order; never down
 * (no review runs); a merge gives the survivor the higher of the two, then what their orders
 * together qualify for.
 */
export const modelLevels = [
  { key: 'silver', rank: 10, minSpend: 10_000 },
  { key: 'gold', rank: 20, minSpend: 100_000 }
] as const

const CREATE = 'mutation($i: CreateMemberLevelInput!) { createMemberLevel(input: $i) { level { id } userErrors { field message } } }'

export async function createModelLevels(w: World): Promise<void> {
  for (const l of modelLevels) {
    const r = await w.ctx.gql(w.caller('admin').token, CREATE, { i: { ...l, nameZh: `等级 ${l.key}`, nameEn: l.key, windowMonths: 12, reviewMonths: 12 } })
    if (!r.data?.createMemberLevel?.level) throw new Error(`createMemberLevel failed: ${JSON.stringify(r)}`)
  }
}

function qualifies(spend: number): number {
  return Math.max(0, ...modelLevels.filter((l) => spend >= l.minSpend).map((l) => l.rank))
}

function netSpend(m: Model, customerId: string): number {
  let sum = 0
  for (const o of m.orders.values()) if (o.customerId === customerId) sum += o.amount - o.refunded
  return sum
}

/** After an order of the customer's: its level moves up when its spend now qualifies; true when it moved. */
export function levelAfterOrder(m: Model, customerId: string): boolean {
  const now = m.levels.get(customerId) ?? 0
  const next = qualifies(netSpend(m, customerId))
  if (next <= now) return false
  m.levels.set(customerId, next)
  return true
}

/** After `mergedId` was merged into `survivorId` (its orders already moved). */
export function levelAfterMerge(m: Model, survivorId: string, mergedId: string): void {
  const held = Math.max(m.levels.get(survivorId) ?? 0, m.levels.get(mergedId) ?? 0)
  m.levels.delete(mergedId)
  m.levels.set(survivorId, Math.max(held, qualifies(netSpend(m, survivorId))))
  if (m.levels.get(survivorId) === 0) m.levels.delete(survivorId)
}

/** Every customer's level in the app is the model's; a merged customer holds none. */
export async function checkLevels(w: World, m: Model): Promise<void> {
  const rows = await w.sql<{ customer_id: string; rank: number }>('select l.customer_id::text, m.rank from customer_levels l join member_levels m on m.id = l.level_id')
  const real = new Map(rows.map((r) => [r.customer_id, Number(r.rank)]))
  for (const id of new Set([...real.keys(), ...m.levels.keys()])) {
    if ((real.get(id) ?? 0) !== (m.levels.get(id) ?? 0)) throw new ModelFailure(`member level of customer ${id}: app rank ${real.get(id) ?? 'none'}, model ${m.levels.get(id) ?? 0}`)
    if (real.has(id) && m.customers.get(id)?.merged) throw new ModelFailure(`customer ${id} is merged but still holds a member level`)
  }
}
