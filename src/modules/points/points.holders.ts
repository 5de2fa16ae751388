import { and, eq, isNull, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { referrers } from '../../db/schema/referrers.js'
import { invalid, notFound } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { customers } from '../../db/schema/customers.js'
import { resolveCustomer } from '../orders/orders.recording.js'
import type { Holder } from './points.repository.js'

/** How a request names the account's holder: exactly one of these. */
export type HolderInput = { customerId?: string; customerExternalId?: string; referrerId?: string }

/** The customers whose points the actor reaches for `op` (undefined: all). */
export function customerScope(actor: Actor, op: 'read' | 'write'): SQL | undefined {
  return reachFilter(actor, authorize(actor, 'loyalty', op), { owner: customers.ownerId })
}

function referrerScope(actor: Actor, op: 'read' | 'write'): SQL | undefined {
  return reachFilter(actor, authorize(actor, 'loyalty', op), { owner: referrers.ownerId, self: referrers.id })
}

/**
 * The holder a request names, once the actor may reach it for `op`: a live customer (a
 * merged one's survivor) or a live referrer. One the actor may not see is unknown to them.
 */
export async function resolveHolder(ex: Executor, actor: Actor, input: HolderInput, op: 'read' | 'write'): Promise<Holder> {
  const given = (['customerId', 'customerExternalId', 'referrerId'] as const).filter((k) => input[k] !== undefined)
  if (given.length !== 1) {
    throw invalid(given[1] ?? 'customerId', 'name exactly one holder: customerId, customerExternalId or referrerId', given.length ? 'AMBIGUOUS_HOLDER' : 'REQUIRED')
  }
  if (input.referrerId !== undefined) {
    const [row] = await ex.select({ id: referrers.id }).from(referrers)
      .where(and(eq(referrers.id, input.referrerId), isNull(referrers.deletedAt), referrerScope(actor, op)))
    if (!row) throw op === 'read' ? notFound('Referrer', input.referrerId) : invalid('referrerId', 'is not a referrer you can see', 'UNKNOWN_REFERRER')
    return { referrerId: row.id }
  }
  const scope = customerScope(actor, op)
  const visible = scope ? async (id: string) => {
    const [row] = await ex.select({ id: customers.id }).from(customers).where(and(eq(customers.id, id), scope))
    return row !== undefined
  } : undefined
  const ref = input.customerId !== undefined ? { id: input.customerId } : { externalId: input.customerExternalId! }
  try {
    const facts = await resolveCustomer(ex, ref, visible)
    return { customerId: facts.id }
  } catch (err) {
    if (op === 'read') throw notFound('Customer', input.customerId ?? input.customerExternalId)
    throw err
  }
}
