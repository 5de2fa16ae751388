import { and, eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { orders } from '../../db/schema/orders.js'
import { CrmError, invalid } from '../../errors.js'
import type { CodeProblem } from '../../rules/coupon-code.js'
import type { RefusalReason } from '../../rules/coupon-validity.js'
import type { Actor } from '../auth/actor.js'
import { resolveCustomer } from '../orders/orders.recording.js'
import { customerScope } from '../points/points.holders.js'

/** The buyer at the till: a live customer the actor reaches (a merged one's survivor), or null when not given. */
export async function resolveBuyer(ex: Executor, actor: Actor, input: { customerId?: string | null; customerExternalId?: string | null }, op: 'read' | 'write'): Promise<string | null> {
  if (input.customerId != null && input.customerExternalId != null) {
    throw invalid('customerExternalId', 'name the customer once: customerId or customerExternalId', 'AMBIGUOUS_HOLDER')
  }
  if (input.customerId == null && input.customerExternalId == null) return null
  const scope = customerScope(actor, op)
  const visible = scope ? async (id: string) => {
    const [row] = await ex.select({ id: customers.id }).from(customers).where(and(eq(customers.id, id), scope))
    return row !== undefined
  } : undefined
  const facts = await resolveCustomer(ex, input.customerId != null ? { id: input.customerId } : { externalId: input.customerExternalId! }, visible)
  return facts.id
}

/**
 * The CRM order a use is for: `orderId` must be the buyer's order (and names the buyer when
 * none was given); an ERP `orderExternalId` links the order the CRM already has under it.
 */
export async function resolveOrder(ex: Executor, buyer: string | null, orderId: string | null | undefined, orderExternalId: string | null | undefined): Promise<{ orderId: string | null; buyer: string | null }> {
  if (orderId) {
    const [row] = await ex.select({ customerId: orders.customerId, externalId: orders.externalId }).from(orders).where(eq(orders.id, orderId))
    if (!row || (buyer !== null && row.customerId !== buyer)) throw invalid('orderId', "is not one of the customer's orders", 'UNKNOWN_ORDER')
    if (orderExternalId && row.externalId !== orderExternalId) throw invalid('orderExternalId', 'is not the externalId of orderId', 'MISMATCH')
    return { orderId, buyer: buyer ?? row.customerId }
  }
  if (!orderExternalId) return { orderId: null, buyer }
  const [row] = await ex.select({ id: orders.id, customerId: orders.customerId }).from(orders).where(eq(orders.externalId, orderExternalId))
  return { orderId: row && (buyer === null || row.customerId === buyer) ? row.id : null, buyer: buyer ?? row?.customerId ?? null }
}

const codeMessages: Record<CodeProblem, string> = {
  length: 'is not a valid code: a coupon code has 13 letters and digits (XXXX-XXXX-XXXX-X)',
  symbol: 'is not a valid code: coupon codes use the digits 2-9 and the letters A-Z except I and O',
  check: 'is not a valid code: a character is mistyped (its check character does not match)'
}

/** A string that cannot be a code: a client's typing mistake, told apart from a code nobody holds. */
export function invalidCode(problem: CodeProblem): CrmError {
  return invalid('code', codeMessages[problem], 'INVALID_CODE')
}

export const invalidCodeMessage = (problem: CodeProblem): string => codeMessages[problem]

export const UNKNOWN_CODE = 'is a well-formed code, but no coupon you can use has it'

export function unknownCode(): CrmError {
  return new CrmError('CRM_ERR_UNPROCESSABLE', `code: ${UNKNOWN_CODE}`, [{ field: 'code', message: UNKNOWN_CODE, code: 'NOT_FOUND' }])
}

/** A coupon that does not apply (src/rules/coupon-validity.ts): 422 with the reason as the field code. */
export function refused(reason: RefusalReason, message: string): CrmError {
  return new CrmError('CRM_ERR_UNPROCESSABLE', `code: ${message}`, [{ field: 'code', message, code: reason }])
}
