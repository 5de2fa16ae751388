import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, nullIfForbidden, type Load, type LoaderQuery } from '../../graphql/context.js'
import type { Campaign } from '../campaigns/campaigns.service.js'
import type { Customer } from '../customers/customers.service.js'
import type { Lead } from '../leads/leads.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { NestedPage, Referral } from './referrals.service.js'

const referrals: Load<Referral> = (ctx, ids) => ctx.services.referrals.findMany(actorOf(ctx), ids)
type PageArgs = Omit<NestedPage, 'parentId'>

/** Every relation of Referral, and the referral fields this area adds to Referrer, Customer and Lead: one query per batch. */
export const referralsLoaders = {
  Referral: {
    referrer: byForeignKey<Referral, Referrer>((r) => r.referrerId, nullIfForbidden((ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))),
    campaign: byForeignKey<Referral, Campaign>((r) => r.campaignId, nullIfForbidden((ctx, ids) => ctx.services.campaigns.findMany(actorOf(ctx), ids))),
    lead: byForeignKey<Referral, Lead>((r) => r.leadId, nullIfForbidden((ctx, ids) => ctx.services.leads.findMany(actorOf(ctx), ids))),
    customer: byForeignKey<Referral, Customer>((r) => r.customerId, nullIfForbidden((ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids)))
  },
  Referrer: {
    referrals: (queries: LoaderQuery<Referrer, PageArgs>[], ctx: MercuriusContext) =>
      ctx.services.referrals.perParent(actorOf(ctx), 'referrer', queries.map((q) => ({ ...q.params, parentId: q.obj.id }))),
    stats: (queries: LoaderQuery<Referrer>[], ctx: MercuriusContext) =>
      ctx.services.referrals.stats(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  Customer: {
    referredBy: byForeignKey<Customer, Referral>((c) => c.referredByReferralId, nullIfForbidden(referrals)),
    referrals: (queries: LoaderQuery<Customer, PageArgs>[], ctx: MercuriusContext) =>
      ctx.services.referrals.perParent(actorOf(ctx), 'customer', queries.map((q) => ({ ...q.params, parentId: q.obj.id })))
  },
  Lead: {
    referral: byForeignKey<Lead, Referral>((l) => l.referralId, nullIfForbidden(referrals))
  }
}
