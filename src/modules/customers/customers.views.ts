import type { PiiCipher } from '../../lib/pii.js'
import type { Actor } from '../auth/actor.js'
import { canReadPii } from '../auth/permissions.js'
import { noteReads, recordReads } from '../audit/access-reads.js'
import { lazyClearContact, openContact } from '../common/contact.js'
import { lazyClearIdNumber, openIdNumber } from '../common/id-number.js'
import { viewKeys, type Hidden } from './customers.columns.js'
import type { CustomerRow } from './customers.repository.js'

/** What callers see of a customer: no ciphertext, blind indexes or internals; phone, email and ID number clear or masked. */
export type Customer = Omit<CustomerRow, Hidden> & { phone: string | null; email: string | null; idNumber: string | null }

/**
 * A stored row as the caller may see it. Clear values are decrypted on first read only: a
 * list that does not select them (most GraphQL pages) skips the AES-GCM opens per row, and
 * writes no access entry (src/modules/audit).
 */
export function customerView(pii: PiiCipher, actor: Actor, row: CustomerRow): Customer {
  const view = {} as Record<string, unknown>
  for (const key of viewKeys) view[key] = row[key]
  if (!canReadPii(actor)) return Object.assign(view, openContact(pii, row, false), { idNumber: row.idNumberMasked }) as Customer
  const record = recordReads(actor, 'customer', row.id)
  lazyClearContact(pii, view, row, record)
  lazyClearIdNumber(pii, view, row, record)
  return view as Customer
}

/** A graph row (src/db/graph-read.ts) is already the view's selected columns; its personal values are opened (or masked) here. */
export function customerGraphView(pii: PiiCipher, actor: Actor, row: Record<string, unknown>): Customer {
  const clear = canReadPii(actor)
  if ('phoneEnc' in row || 'emailEnc' in row) {
    const selected = { phone: 'phoneEnc' in row, email: 'emailEnc' in row }
    Object.assign(row, openContact(pii, row as Parameters<typeof openContact>[1], clear))
    // Only the fields the selection asked for are handed out (and audited).
    if (clear) noteReads(actor, 'customer', row.id as string, row, selected.phone ? (selected.email ? ['phone', 'email'] : ['phone']) : ['email'])
    delete row.phoneEnc; delete row.phoneMasked; delete row.emailEnc; delete row.emailMasked
  }
  if ('idNumberEnc' in row) {
    row.idNumber = openIdNumber(pii, row as Parameters<typeof openIdNumber>[1], clear)
    if (clear) noteReads(actor, 'customer', row.id as string, row, ['idNumber'])
    delete row.idNumberEnc; delete row.idNumberMasked
  }
  return row as Customer
}

/** The customer as audit entries and events carry it: personal data masked, never clear. */
export function customerAuditView(row: CustomerRow) {
  const { phoneEnc: _pe, phoneIdx: _pi, phoneMasked, emailEnc: _ee, emailIdx: _ei, emailMasked, idNumberEnc: _ie, idNumberIdx: _ii, idNumberMasked, deletedAt: _d, mergedIntoId: _m, erasedAt: _x, ...rest } = row
  return { ...rest, phone: phoneMasked, email: emailMasked, idNumber: idNumberMasked }
}
