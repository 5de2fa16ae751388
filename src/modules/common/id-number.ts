import { Type } from '@sinclair/typebox'
import type { PiiCipher } from '../../lib/pii.js'
import { invalid } from '../../errors.js'
import { maskIdNumber, normalizeIdNumber } from '../../rules/id-number.js'
import type { RecordRead } from './contact.js'

/** 身份证号 as a request field: validated by the rule (src/rules/id-number.ts), not by a pattern. */
export const IdNumber = Type.String({ minLength: 1, maxLength: 40, description: 'Mainland resident ID number (身份证号): 18 characters, ISO 7064 MOD 11-2 check character; a lower-case x is accepted' })
export const IdNumberView = Type.String({ description: 'Clear for roles that may read personal data, masked (110***********1234) otherwise' })

export type SealedIdNumber = { idNumberEnc?: string | null; idNumberIdx?: string | null; idNumberMasked?: string | null }
type StoredIdNumber = { idNumberEnc: string | null; idNumberMasked: string | null }

/**
 * Validates, normalises and seals an ID number like a phone: ciphertext, blind index, mask.
 * Absent: nothing (an update leaves it alone); null: cleared. `now` bounds the birth date.
 */
export function sealIdNumber(pii: PiiCipher, value: string | null | undefined, now = new Date()): SealedIdNumber {
  if (value === undefined) return {}
  if (value === null) return { idNumberEnc: null, idNumberIdx: null, idNumberMasked: null }
  const id = normalizeIdNumber(value, now.toISOString().slice(0, 10))
  if (!id.ok) throw invalid('idNumber', id.reason, 'INVALID_ID_NUMBER')
  return { idNumberEnc: pii.seal(id.value), idNumberIdx: pii.index(id.value), idNumberMasked: maskIdNumber(id.value) }
}

/** Clear for callers who may read personal data, the mask for everyone else. */
export function openIdNumber(pii: PiiCipher, row: StoredIdNumber, clear: boolean): string | null {
  return clear ? (row.idNumberEnc ? pii.open(row.idNumberEnc) : null) : row.idNumberMasked
}

/**
 * The clear ID number as a getter on a view: opened on first read only, and noted by the
 * access audit (`record`) when an answer takes a value, like lazyClearContact's phone and email.
 */
export function lazyClearIdNumber(pii: PiiCipher, view: Record<string, unknown>, row: StoredIdNumber, record: RecordRead | undefined): void {
  let idNumber: string | null | undefined
  Object.defineProperty(view, 'idNumber', {
    get: () => {
      const value = (idNumber ??= openIdNumber(pii, row, true))
      if (value !== null && record) record('idNumber')
      return value
    },
    set: (value: unknown) => { Object.defineProperty(view, 'idNumber', { value, writable: true, enumerable: true, configurable: true }) },
    enumerable: true,
    configurable: true
  })
}
