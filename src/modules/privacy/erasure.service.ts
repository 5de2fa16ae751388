import { uuidv7 } from 'uuidv7'
import { runAction, type Action } from '../../db/action.js'
import { privacyTombstones } from '../../db/schema/erasures.js'
import { forbidden, invalid, notFound } from '../../errors.js'
import { normalizeEmail, normalizePhone } from '../../rules/contact.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { textColumns } from './erasure-columns.js'
import { eraseOwnedText, eraseOwnRecords } from './erasure-owned.js'
import { scrubText, type Needles } from './erasure-scrub.js'
import { findSubject, heldElsewhere, noRecords, relatedIds, recordCount, sealedValues, subjectTables, type SubjectRecords, type SubjectRow, type SubjectTable } from './erasure-subject.js'
import { sweep } from './erasure-sweep.js'
import { tombstoneHash, type TombstoneEntity } from './erasure-tombstones.js'
import { ErasureRequest, type ErasureView } from './erasure.schemas.js'

const entityOf: Record<SubjectTable, TombstoneEntity> = { customers: 'customer', referrers: 'referrer', referrals: 'referral', leads: 'lead' }
/** Where an erasure starts: blind indexes (a phone, an email) and/or record ids. */
export type ErasureStart = { indexes: string[]; ids: SubjectRecords }
/** request: erasePersonalData; retention: the retention job (docs/privacy.md, Retention). */
export type ErasureSource = 'request' | 'retention'

/**
 * 删除个人信息 (PIPL art. 47, docs/privacy.md): destroys a person's personal data everywhere it
 * lives, in one transaction, and keeps every amount, status and count as it was.
 */
export class ErasureService {
  constructor(private readonly deps: ServiceDeps) {}

  /** erasePersonalData / POST /privacy/erasures: admins only (an irreversible act, refused to integration keys). */
  async erase(actor: Actor, input: unknown): Promise<ErasureView> {
    if (actor.role !== 'admin' || actor.readOnly) throw forbidden('Only an administrator may erase personal data')
    const data = parse(ErasureRequest, input)
    const given = (Object.keys(data.subject) as (keyof typeof data.subject)[]).filter((k) => data.subject[k] !== undefined)
    if (given.length !== 1) throw invalid('subject', 'give exactly one of phone, email, customerId, referrerId', 'ONE_OF')
    const start: ErasureStart = { indexes: [], ids: noRecords() }
    const clear: string[] = []
    const { phone, email, customerId, referrerId } = data.subject
    if (phone !== undefined) {
      const n = normalizePhone(phone)
      if (!n.ok) throw invalid('subject.phone', n.reason)
      start.indexes.push(this.deps.pii.index(n.value)); clear.push(n.value)
    }
    if (email !== undefined) {
      const n = normalizeEmail(email)
      if (!n.ok) throw invalid('subject.email', n.reason)
      start.indexes.push(this.deps.pii.index(n.value)); clear.push(n.value)
    }
    if (customerId) start.ids.customers.push(customerId.toLowerCase())
    if (referrerId) start.ids.referrers.push(referrerId.toLowerCase())
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const view = await this.eraseIn(action, start, data.reason, 'request', clear)
      // An id that names nothing: 404, as anywhere else. A phone or email that matches nothing is
      // answered like a match (nothing to erase), so the answer does not tell whether it was known.
      if ((customerId || referrerId) && view.recordsErased === 0) throw notFound(customerId ? 'Customer' : 'Referrer', customerId ?? referrerId)
      return view
    })
  }

  /**
   * The erasure itself, inside the caller's action: find every record of the person, retire
   * their externalIds (tombstones), destroy their own fields and owned text, sweep every
   * copy elsewhere, and record it (audit `privacy.erased`, event `privacy.erased`).
   */
  async eraseIn(action: Action, start: ErasureStart, reason: string, source: ErasureSource, clear: string[] = [], opts = { expand: true }): Promise<ErasureView> {
    const { tx } = action
    const columns = await textColumns(tx)
    const { ids, rows } = await findSubject(tx, columns, start, opts.expand)
    const erasureId = uuidv7()
    const erasedAt = new Date().toISOString()
    const needles = this.needles(rows, start.indexes, clear, await heldElsewhere(tx, columns, sealedValues(rows).idx, ids))
    const view: ErasureView = {
      id: erasureId, erasedAt, customerIds: ids.customers, referrerIds: ids.referrers, referralIds: ids.referrals, leadIds: ids.leads,
      recordsErased: recordCount(ids), copiesErased: 0
    }
    if (view.recordsErased > 0) {
      const tombstones = subjectTables.flatMap((t) => rows[t].filter((r) => typeof r.external_id === 'string')
        .map((r) => ({ keyHash: tombstoneHash(this.deps.pii, entityOf[t], r.external_id as string), entityType: entityOf[t], erasureId })))
      if (tombstones.length > 0) await tx.insert(privacyTombstones).values(tombstones).onConflictDoNothing()
      await eraseOwnRecords(tx, columns, ids)
      await eraseOwnedText(tx, ids)
    }
    const allIds = [...subjectTables.flatMap((t) => ids[t]), ...await relatedIds(tx, ids)]
    const copies = await sweep(tx, columns, needles, allIds)
    view.copiesErased = Object.values(copies).reduce((a, b) => a + b, 0)
    const summary = {
      source, reason: scrubText(reason, [...needles.always, ...needles.contextual].filter((n) => n.length >= 2)),
      customerIds: ids.customers, referrerIds: ids.referrers, referralIds: ids.referrals, leadIds: ids.leads, copies
    }
    action.audit({ action: 'privacy.erased', entityType: 'erasure', entityId: erasureId, changes: summary })
    if (view.recordsErased > 0) {
      action.emit({ type: 'privacy.erased', entityType: 'erasure', entityId: erasureId, data: { erasure: { id: erasureId, source, customerIds: ids.customers, referrerIds: ids.referrers, referralIds: ids.referrals, leadIds: ids.leads, erasedAt } } })
    }
    return view
  }

  /** What to look for elsewhere: values only this person has (everywhere) and values others may share (beside their ids). */
  private needles(rows: Record<SubjectTable, SubjectRow[]>, indexes: string[], clear: string[], shared: Set<string>): Needles {
    const { enc, idx, masked } = sealedValues(rows)
    const opened: string[] = []
    for (const sealed of enc) {
      try { opened.push(this.deps.pii.open(sealed)) } catch { /* sealed under a key no longer held: its ciphertext is still a needle */ }
    }
    // A value a record not being erased still holds (retention of one of two records) is that record's data.
    const own = (v: string) => !shared.has(v) && !shared.has(this.deps.pii.index(v))
    const contextual = new Set<string>(masked)
    for (const table of subjectTables) {
      for (const r of rows[table]) {
        for (const col of ['name', 'address', 'company', 'birthday']) {
          const v = r[col]
          if (typeof v === 'string' && v.trim() !== '') contextual.add(v)
        }
      }
    }
    return { always: [...new Set([...enc, ...idx, ...indexes, ...opened, ...clear])].filter(own), contextual: [...contextual] }
  }
}

