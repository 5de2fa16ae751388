import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, nullIfForbidden, type LoaderQuery } from '../../graphql/context.js'
import type { Campaign } from '../campaigns/campaigns.service.js'
import type { Customer } from '../customers/customers.service.js'
import type { Referral } from '../referrals/referrals.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { CustomerOrdersPage, Order } from './orders.service.js'

type PageArgs = Omit<CustomerOrdersPage, 'customerId'>

/** Every relation of Order, and Customer.orders: one query per field per request. */
export const ordersLoaders = {
  Order: {
    customer: byForeignKey<Order, Customer>((o) => o.customerId, nullIfForbidden((ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids))),
    referral: byForeignKey<Order, Referral>((o) => o.referralId, nullIfForbidden((ctx, ids) => ctx.services.referrals.findMany(actorOf(ctx), ids))),
    referrer: byForeignKey<Order, Referrer>((o) => o.referrerId, nullIfForbidden((ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))),
    campaign: byForeignKey<Order, Campaign>((o) => o.campaignId, nullIfForbidden((ctx, ids) => ctx.services.campaigns.findMany(actorOf(ctx), ids))),
    refunds: (queries: LoaderQuery<Order>[], ctx: MercuriusContext) =>
      ctx.services.orders.refundsOf(actorOf(ctx), queries.map((q) => q.obj.id))
  },
  Customer: {
    /** All customers of the page in one windowed query (row_number per customer). */
    orders: (queries: LoaderQuery<Customer, PageArgs>[], ctx: MercuriusContext) =>
      ctx.services.orders.perCustomer(actorOf(ctx), queries.map((q) => ({ ...q.params, customerId: q.obj.id })))
  }
}
