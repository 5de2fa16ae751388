import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey } from '../../graphql/context.js'
import { CrmError } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import type { Customer } from '../customers/customers.service.js'
import type { User } from '../users/users.service.js'
import type { Referrer } from './referrers.service.js'

/**
 * A linked object the caller's role may not read at all (a referrer token asking for its
 * owner) is null, as an object outside its reach would be, instead of failing the query.
 */
function nullIfForbidden<R>(load: (ctx: MercuriusContext, ids: string[]) => Promise<(R | null)[]>) {
  return async (ctx: MercuriusContext, ids: string[]): Promise<(R | null)[]> => {
    try {
      return await load(ctx, ids)
    } catch (err) {
      if (err instanceof CrmError && err.code === 'CRM_ERR_FORBIDDEN') return ids.map(() => null)
      throw err
    }
  }
}

const users = nullIfForbidden<User>((ctx, ids) => ctx.services.users.findMany(actorOf(ctx), ids))
const customers = nullIfForbidden<Customer>((ctx, ids) => ctx.services.customers.findMany(actorOf(ctx), ids))
const referrers = (ctx: MercuriusContext, ids: string[]) => ctx.services.referrers.findMany(actorOf(ctx), ids)

/** Every relation of Referrer, and the referrer fields this area adds to Customer and Me: one query per batch. */
export const referrersLoaders = {
  Referrer: {
    owner: byForeignKey<Referrer, User>((r) => r.ownerId, users),
    user: byForeignKey<Referrer, User>((r) => r.userId, users),
    customer: byForeignKey<Referrer, Customer>((r) => r.customerId, customers)
  },
  Customer: {
    referrer: byForeignKey<Customer, Referrer>((c) => c.referrerId, referrers)
  },
  Me: {
    referrer: byForeignKey<Actor, Referrer>((me) => me.referrerId, referrers)
  }
}
