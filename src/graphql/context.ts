import type { MercuriusContext } from 'mercurius'
import { CrmError } from '../errors.js'
import type { Actor } from '../modules/auth/actor.js'

/** The caller of a resolver. The auth hook already refused anonymous /graphql calls. */
export function actorOf(ctx: MercuriusContext): Actor {
  if (!ctx.actor) throw new CrmError('CRM_ERR_UNAUTHENTICATED', 'Authentication required')
  return ctx.actor
}

/** Mercurius loader query: the parent object and the field's arguments. */
export type LoaderQuery<T, P = Record<string, unknown>> = { obj: T; params: P }

/** Loads each parent's foreign key through one batched call, keeping order. */
export function byForeignKey<T, R>(
  key: (obj: T) => string | null | undefined,
  load: (ctx: MercuriusContext, ids: string[]) => Promise<(R | null)[]>
) {
  return async (queries: LoaderQuery<T>[], ctx: MercuriusContext): Promise<(R | null)[]> => {
    const ids = queries.map((q) => key(q.obj) ?? null)
    const wanted = [...new Set(ids.filter((id): id is string => id !== null))]
    const found = wanted.length ? await load(ctx, wanted) : []
    const byId = new Map(wanted.map((id, i) => [id, found[i]]))
    return ids.map((id) => (id === null ? null : byId.get(id) ?? null))
  }
}

/** For `thing(id)` queries: an object the caller may not see is simply null. */
export function nullIfNotFound(err: unknown): null {
  if ((err as { code?: string })?.code === 'CRM_ERR_NOT_FOUND') return null
  throw err
}

export type IdRef = (obj: never, ctx: MercuriusContext) => { id: string } | null | Promise<{ id: string } | null>
export const idOnlyRef = Symbol('idOnlyRef')

/**
 * A to-one loader whose `{ id }`-only selections (e.g. `owner { id }`) are answered from
 * the parent's foreign key by `ref` (which must still authorise), with no query at all.
 */
export function withIdOnly<L extends object, T>(loader: L, ref: (obj: T, ctx: MercuriusContext) => { id: string } | null | Promise<{ id: string } | null>): L {
  return Object.assign(loader, { [idOnlyRef]: ref })
}

export type Load<R> = (ctx: MercuriusContext, ids: string[]) => Promise<(R | null)[]>

/** A linked record the caller's role may not read at all (a referrer token and a lead, rule...) is null, not an error. */
export function nullIfForbidden<R>(load: Load<R>): Load<R> {
  return async (ctx, ids) => {
    try {
      return await load(ctx, ids)
    } catch (err) {
      if (err instanceof CrmError && err.code === 'CRM_ERR_FORBIDDEN') return ids.map(() => null)
      throw err
    }
  }
}
