import { Type, type Static } from '@sinclair/typebox'
import { Email, Phone, Text, Uuid } from '../common/schemas.js'

/** Who to erase: exactly one of phone, email, customerId, referrerId (checked in the service, with a field error). */
export const ErasureSubject = Type.Object({
  phone: Type.Optional(Phone),
  email: Type.Optional(Email),
  customerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid)
}, { additionalProperties: false })

export const ErasureRequest = Type.Object({
  subject: ErasureSubject,
  reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why (a request under PIPL art. 47, a retention rule). Write no personal data here: values of the person found in it are erased too' })
}, { additionalProperties: false })
export type ErasureRequest = Static<typeof ErasureRequest>

const Ids = Type.Array(Type.String())
export const ErasureView = Type.Object({
  id: Type.String({ description: 'The erasure: the id its audit entry and event carry' }),
  erasedAt: Type.String(),
  customerIds: Ids, referrerIds: Ids, referralIds: Ids, leadIds: Ids,
  recordsErased: Type.Integer({ description: 'Customer, referrer, referral and lead records whose personal fields were destroyed' }),
  copiesErased: Type.Integer({ description: 'Other rows (audit, outbox, idempotent answers, webhook and message attempts, free text) from which copies were removed' })
})
export type ErasureView = Static<typeof ErasureView>
