import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, type Page, type PageRequest } from '../../db/paging.js'
import { invalid } from '../../errors.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { auditCount, auditPage, type AuditEntry } from './audit.repository.js'
import { AuditFilter } from './audit.schemas.js'

/**
 * The audit trail as admins and auditors read it: writes (audit_entries) and reads of
 * personal data in clear (access_entries) in one newest-first list. Read only: no
 * operation of the API changes or deletes an entry (and the database refuses it).
 */
export class AuditService {
  constructor(private readonly deps: ServiceDeps) {}

  /** A keyset page of entries matching the filter, newest first; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, page: PageRequest): Promise<Page<AuditEntry> & { count: () => Promise<number> }> {
    authorize(actor, 'audit', 'read')
    const f = parse(AuditFilter, filter ?? {})
    if (f.from && f.to && Date.parse(f.from) > Date.parse(f.to)) throw invalid('to', 'must not be before from', 'OUT_OF_RANGE')
    const first = page.first ?? DEFAULT_PAGE_SIZE
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw invalid('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}`, 'OUT_OF_RANGE')
    const after = page.after ? decodeCursor(page.after, 'at') : null
    const rows = await auditPage(this.deps.raw, f, after && after.value ? { at: after.value, id: after.id } : null, first + 1)
    const kept = rows.slice(0, first)
    const cursors = kept.map((r) => encodeCursor('at', r.atKey, r.id))
    for (const row of kept) {
      delete (row as { atKey?: string }).atKey
      row.at = new Date(row.at).toISOString()
    }
    return {
      rows: kept, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null, cursors,
      count: () => auditCount(this.deps.raw, f)
    }
  }

  /** Every matching entry, newest first, in pages of the largest size (never all in memory); the first page read now, so errors come before the answer. */
  async export(actor: Actor, filter: unknown): Promise<AsyncGenerator<AuditEntry>> {
    const first = await this.list(actor, filter, { first: MAX_PAGE_SIZE })
    const list = (after: string | null) => this.list(actor, filter, { first: MAX_PAGE_SIZE, after })
    async function* rows(): AsyncGenerator<AuditEntry> {
      let page: Page<AuditEntry> = first
      yield* page.rows
      while (page.hasNextPage) {
        page = await list(page.endCursor)
        yield* page.rows
      }
    }
    return rows()
  }
}
