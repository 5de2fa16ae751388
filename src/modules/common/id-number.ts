import { Type } from '@sinclair/typebox'
import type { PiiCipher } from '../../lib/pii.js'
import { invalid } from '../../errors.js'
import { maskIdNumber, normalizeIdNumber } from '../../rules/id-number.js'

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
