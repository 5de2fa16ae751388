import { and, asc, eq, isNull } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { openContact } from '../common/contact.js'
import { isUuid } from '../common/validate.js'
import type { Referrer, ReferrersService } from '../referrers/referrers.service.js'
import type { ServiceDeps } from '../service-deps.js'

/**
 * The promoter → referrer loop: makes a customer a referrer of kind `customer` linked to
 * them, with a generated referral code, through the referrers service's own create (owner:
 * the customer's owner). Idempotent: a customer who already is a referrer gets that one back
 * (`created: false`). The customer row is locked first, so two calls at once make one.
 */
export async function inviteReferrer(deps: ServiceDeps, referrersService: ReferrersService, actor: Actor, customerId: string): Promise<{ referrer: Referrer; created: boolean }> {
  authorize(actor, 'referrers', 'write')
  const reach = authorize(actor, 'customers', 'read')
  if (!isUuid(customerId)) throw notFound('Customer', customerId)
  return runAction(deps.db, actionContext(actor), async (action) => {
    const [customer] = await action.tx.select().from(customers).where(and(
      eq(customers.id, customerId), isNull(customers.deletedAt), isNull(customers.mergedIntoId),
      reachFilter(actor, reach, { owner: customers.ownerId })
    )).for('update')
    if (!customer) throw notFound('Customer', customerId)
    const [existing] = await action.tx.select().from(referrers)
      .where(and(eq(referrers.customerId, customerId), isNull(referrers.deletedAt))).orderBy(asc(referrers.createdAt)).limit(1)
    if (existing) return { referrer: referrersService.toView(actor, existing), created: false }
    const { phone, email } = openContact(deps.pii, customer, true)
    const referrer = await referrersService.createWithin(action, actor, {
      kind: 'customer', name: customer.name, customerId, phone, email,
      company: customer.company, industry: customer.industry, title: customer.title, region: customer.region,
      ...(customer.ownerId ? { ownerId: customer.ownerId } : {})
    })
    return { referrer, created: true }
  })
}
