import { CrmError } from '../../errors.js'
import { classifySearch } from '../../rules/contact.js'
import type { Actor } from '../auth/actor.js'
import { canReadPii } from '../auth/permissions.js'

/**
 * A search by a clear personal value (whatever classifySearch takes for other than free text: an
 * exact phone or email, and every kind it learns later, such as ID numbers) answers whether the value
 * belongs to a record, so it is for roles that may read that value in clear. Others get FORBIDDEN
 * before any query runs, whatever the answer would have been (docs/security.md, "Masking").
 */
export function assertMaySearchBy(actor: Actor, search: string | null | undefined, field = 'search'): void {
  if (!search || canReadPii(actor) || classifySearch(search).kind === 'text') return
  throw new CrmError('CRM_ERR_FORBIDDEN', `Role ${actor.role} may not search by a personal value it sees only masked`,
    [{ field, message: 'is a personal value (phone, email) that this role sees only masked', code: 'PERSONAL_SEARCH' }])
}

/** The same check for a filter object that may carry `search` (lists, campaign audiences). */
export function assertMayFilterBy(actor: Actor, filter: unknown, field = 'search'): void {
  const search = (filter as { search?: unknown } | null | undefined)?.search
  if (typeof search === 'string') assertMaySearchBy(actor, search, field)
}
