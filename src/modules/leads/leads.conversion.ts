import { eq } from 'drizzle-orm'
import type { Action, ActionContext } from '../../db/action.js'
import type { ConsentRecord } from '../../db/schema/customers.js'
import { referrals } from '../../db/schema/referrals.js'
import { CrmError, invalid } from '../../errors.js'
import { decideLeadTransition } from '../../rules/lead-status.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { sealContact } from '../common/contact.js'
import { assertAssignable } from '../common/owners.js'
import { asTaken } from '../common/unique.js'
import { customersRepository, type CustomerRow } from '../customers/customers.repository.js'
import type { Customer, CustomersService } from '../customers/customers.service.js'
import type { Opportunity, OpportunitiesService } from '../opportunities/opportunities.service.js'
import { recordCustomerConsents } from '../consents/consents.customer-record.js'
import { customerConsentFrom } from '../referrals/consent.js'
import { referralOnLeadConverted } from '../referrals/referral-progress.js'
import type { ServiceDeps } from '../service-deps.js'
import { leadsRepository as repo, type LeadRow } from './leads.repository.js'
import type { LeadConvert } from './leads.schemas.js'

export type Conversion = { lead: LeadRow; customer: Customer; opportunity: Opportunity | null }
type Services = { customers: CustomersService; opportunities: OpportunitiesService }

/**
 * Converts a locked, qualified lead inside the caller's transaction: the customer (new,
 * from the lead's data, or an existing one), the opportunity when asked, the lead marked
 * converted, its history, audit and event, and the referral moved along.
 */
export async function convertLocked(
  deps: ServiceDeps, services: Services, action: Action, actor: Actor, lead: LeadRow, data: LeadConvert, now: Date
): Promise<Conversion> {
  const decision = decideLeadTransition({ from: lead.status, to: 'converted', via: 'conversion' })
  if (!decision.allowed) {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', `only a qualified lead can be converted: ${decision.reason}`,
      [{ field: 'status', message: `only a qualified lead can be converted (it is ${lead.status})`, code: 'INVALID_TRANSITION' }])
  }
  const customer = await customerFor(deps, services.customers, action, actor, lead, data)
  const opportunity = data.createOpportunity === false ? null : await services.opportunities.openWithin(action, actor, {
    customerId: customer.id,
    name: data.opportunity?.name ?? lead.company ?? lead.name,
    ...(data.opportunity?.amount ? { amount: data.opportunity.amount } : {}),
    ...(data.opportunity?.expectedCloseDate !== undefined ? { expectedCloseDate: data.opportunity.expectedCloseDate } : {}),
    ownerId: lead.ownerId ?? customer.ownerId ?? actor.userId,
    leadId: lead.id, campaignId: lead.campaignId, referrerId: lead.referrerId
  })
  const { tx, audit, emit } = action
  const after = (await repo.update(tx, lead.id, {
    status: 'converted', statusReason: null, convertedAt: now, customerId: customer.id, convertedOpportunityId: opportunity?.id ?? null
  }))!
  await repo.addHistory(tx, { leadId: lead.id, kind: 'converted', fromStatus: lead.status, toStatus: 'converted', actorId: actor.userId, at: now })
  const change = { id: lead.id, customerId: customer.id, opportunityId: opportunity?.id ?? null, referralId: lead.referralId, referrerId: lead.referrerId, version: after.version }
  audit({ action: 'lead.converted', entityType: 'lead', entityId: lead.id, changes: { status: { from: lead.status, to: 'converted' }, ...change } })
  emit({ type: 'lead.converted', entityType: 'lead', entityId: lead.id, data: change })
  await referralOnLeadConverted(action, after, customer.id, opportunity?.id ?? null, now)
  return { lead: after, customer, opportunity }
}

/** The existing customer named (or the lead's own), which the caller must see; else a new one from the lead. */
async function customerFor(deps: ServiceDeps, customers: CustomersService, action: Action, actor: Actor, lead: LeadRow, data: LeadConvert): Promise<Customer> {
  const reach = authorize(actor, 'customers', 'write')
  const existingId = data.existingCustomerId ?? lead.customerId
  const consent = await referralConsent(action, lead)
  if (existingId) {
    const row = await customersRepository.byId(action.tx, existingId, customers.scope(actor))
    if (!row) throw invalid(data.existingCustomerId ? 'existingCustomerId' : 'customerId', 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
    if (!consent) return customers.toView(actor, row)
    if (!row.consent) return customers.toView(actor, await takeConsent(action, customers, row, consent, actionContext(actor), lead.referralId))
    // The customer keeps its own consent field, but the person's answer on the referral still joins their consent history.
    await recordCustomerConsents(action.tx, actionContext(actor), [{ customerId: row.id, consent, referralId: lead.referralId }])
    return customers.toView(actor, row)
  }
  const { phone, email, ownerId: givenOwner, ...fields } = data.customer ?? {}
  const ownerId = givenOwner !== undefined ? givenOwner : lead.ownerId ?? actor.userId
  if (ownerId) await assertAssignable(action.tx, actor, reach, ownerId, 'customer.ownerId')
  else if (reach !== 'all') throw invalid('customer.ownerId', 'is required', 'REQUIRED')
  // The lead's sealed contact is copied as is (same key); an override is sealed afresh.
  const contact = {
    phoneEnc: lead.phoneEnc, phoneIdx: lead.phoneIdx, phoneMasked: lead.phoneMasked,
    emailEnc: lead.emailEnc, emailIdx: lead.emailIdx, emailMasked: lead.emailMasked,
    ...sealContact(deps.pii, { phone, email })
  }
  let row: CustomerRow
  try {
    row = await customersRepository.insert(action.tx, {
      name: lead.name, company: lead.company, industry: lead.industry, title: lead.title, region: lead.region,
      sourceChannel: lead.source, tags: lead.tags, ...fields, ...contact, ownerId, consent,
      referrerId: lead.referrerId, referredByReferralId: lead.referralId
    })
  } catch (err) {
    throw asTaken(err, 'customer')
  }
  if (consent) await recordCustomerConsents(action.tx, actionContext(actor), [{ customerId: row.id, consent, referralId: lead.referralId }])
  action.audit({ action: 'customer.created', entityType: 'customer', entityId: row.id, changes: { ...customers.auditView(row), fromLeadId: lead.id } })
  action.emit({ type: 'customer.created', entityType: 'customer', entityId: row.id, data: { customer: customers.auditView(row), fromLeadId: lead.id } })
  return customers.toView(actor, row)
}

/** The consent record of the referral the lead came from, as the customer keeps it (null: none). */
async function referralConsent({ tx }: Action, lead: LeadRow): Promise<ConsentRecord | null> {
  if (!lead.referralId) return null
  const [row] = await tx.select({ consent: referrals.consent }).from(referrals).where(eq(referrals.id, lead.referralId))
  return row?.consent ? customerConsentFrom(lead.referralId, row.consent) : null
}

/** An existing customer without a consent record takes the referral's (audited and announced as an update). */
async function takeConsent(action: Action, customers: CustomersService, row: CustomerRow, consent: ConsentRecord, ctx: ActionContext, referralId: string | null): Promise<CustomerRow> {
  const after = (await customersRepository.update(action.tx, row.id, { consent }))!
  await recordCustomerConsents(action.tx, ctx, [{ customerId: row.id, consent, referralId }])
  const changes = { consent: { from: null, to: customers.auditView(after).consent } }
  action.audit({ action: 'customer.updated', entityType: 'customer', entityId: row.id, changes })
  action.emit({ type: 'customer.updated', entityType: 'customer', entityId: row.id, data: { id: row.id, version: after.version, changes } })
  return after
}
