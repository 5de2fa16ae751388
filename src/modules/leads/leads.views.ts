import type { PiiCipher } from '../../lib/pii.js'
import type { Actor } from '../auth/actor.js'
import { canReadPii } from '../auth/permissions.js'
import { lazyClearContact, openContact, sealContact } from '../common/contact.js'
import { recordReads } from '../audit/access-reads.js'
import type { LeadInsert, LeadRow } from './leads.repository.js'
import type { LeadUpdate } from './leads.schemas.js'

/** Fields whose changes an update audits and announces (`lead.updated`). */
export const auditedFields = [
  'externalId', 'source', 'referrerId', 'campaignId', 'customerId', 'name', 'phone', 'email', 'company', 'industry',
  'title', 'region', 'nextFollowUpAt', 'tags', 'attributes'
] as const

/** A lead as its reader sees it: personal data clear or masked by role, storage columns hidden. */
export function leadView(pii: PiiCipher, actor: Actor, row: LeadRow) {
  const { phoneEnc: _pe, phoneIdx: _pi, phoneMasked: _pm, emailEnc: _ee, emailIdx: _ei, emailMasked: _em, deletedAt: _d, ...rest } = row
  if (!canReadPii(actor)) return { ...rest, ...openContact(pii, row, false) }
  // Opened (and audited as read) only if the answer takes them.
  const view = { ...rest, phone: null as string | null, email: null as string | null }
  lazyClearContact(pii, view, row, recordReads(actor, 'lead', row.id))
  return view
}

export type Lead = ReturnType<typeof leadView>

/** The lead as audit entries and events carry it: personal data masked, never clear. */
export function leadAuditView(row: LeadRow) {
  const { phoneEnc: _pe, phoneIdx: _pi, phoneMasked, emailEnc: _ee, emailIdx: _ei, emailMasked, deletedAt: _d, ...rest } = row
  return { ...rest, phone: phoneMasked, email: emailMasked }
}

/** Input fields as table columns: contact sealed, times parsed, version dropped. */
export function leadColumns(pii: PiiCipher, data: LeadUpdate): Partial<LeadInsert> {
  const { phone, email, nextFollowUpAt, expectedVersion: _v, ...plain } = data
  return {
    ...plain,
    ...sealContact(pii, { phone, email }),
    ...(nextFollowUpAt !== undefined ? { nextFollowUpAt: nextFollowUpAt === null ? null : new Date(nextFollowUpAt) } : {})
  }
}
