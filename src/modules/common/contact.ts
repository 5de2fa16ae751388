import type { PiiCipher } from '../../lib/pii.js'
import { invalid } from '../../errors.js'
import { maskEmail, maskPhone, normalizeEmail, normalizePhone } from '../../rules/contact.js'

export type ContactInput = { phone?: string | null; email?: string | null }

export type SealedContact = {
  phoneEnc?: string | null; phoneIdx?: string | null; phoneMasked?: string | null
  emailEnc?: string | null; emailIdx?: string | null; emailMasked?: string | null
}

/**
 * Normalises and encrypts phone and email for storage. Only keys present in the input
 * are returned, so an update that omits `phone` leaves it alone and `null` clears it.
 */
export function sealContact(pii: PiiCipher, input: ContactInput): SealedContact {
  const out: SealedContact = {}
  if (input.phone !== undefined) {
    if (input.phone === null) Object.assign(out, { phoneEnc: null, phoneIdx: null, phoneMasked: null })
    else {
      const phone = normalizePhone(input.phone)
      if (!phone.ok) throw invalid('phone', phone.reason, 'INVALID_PHONE')
      Object.assign(out, { phoneEnc: pii.seal(phone.value), phoneIdx: pii.index(phone.value), phoneMasked: maskPhone(phone.value) })
    }
  }
  if (input.email !== undefined) {
    if (input.email === null) Object.assign(out, { emailEnc: null, emailIdx: null, emailMasked: null })
    else {
      const email = normalizeEmail(input.email)
      if (!email.ok) throw invalid('email', email.reason, 'INVALID_EMAIL')
      Object.assign(out, { emailEnc: pii.seal(email.value), emailIdx: pii.index(email.value), emailMasked: maskEmail(email.value) })
    }
  }
  return out
}

type StoredContact = { phoneEnc: string | null; phoneMasked: string | null; emailEnc: string | null; emailMasked: string | null }

/** Clear text for callers who may read personal data, the masked form for everyone else. */
export function openContact(pii: PiiCipher, row: StoredContact, clear: boolean): { phone: string | null; email: string | null } {
  return clear
    ? { phone: row.phoneEnc ? pii.open(row.phoneEnc) : null, email: row.emailEnc ? pii.open(row.emailEnc) : null }
    : { phone: row.phoneMasked, email: row.emailMasked }
}

/** Notes that a clear personal field was handed out (src/modules/audit/access-recorder.ts). */
export type RecordRead = (field: 'phone' | 'email' | 'idNumber') => void

/**
 * Clear phone and email as getters on `view`, decrypted on first read only: a page that
 * never selects them skips the AES-GCM opens, and `record` (the access audit) hears of
 * exactly the non-null values handed out. Enumerable, so JSON and spreads see them;
 * assignable, as a plain field would be.
 */
export function lazyClearContact(pii: PiiCipher, view: Record<string, unknown>, row: StoredContact, record: RecordRead | undefined): void {
  let contact: { phone: string | null; email: string | null } | undefined
  const open = () => (contact ??= openContact(pii, row, true))
  for (const field of ['phone', 'email'] as const) {
    Object.defineProperty(view, field, {
      get: () => {
        const value = open()[field]
        if (value !== null && record) record(field)
        return value
      },
      set: (value: unknown) => { Object.defineProperty(view, field, { value, writable: true, enumerable: true, configurable: true }) },
      enumerable: true,
      configurable: true
    })
  }
}
