import { Type, type Static } from '@sinclair/typebox'
import { Email, Phone, Uuid } from '../common/schemas.js'
import { recordKinds } from './subject-records.js'

/** Who the export is about: exactly one of the four (the service says which is missing or extra). */
export const PersonalDataSubjectInput = Type.Object({
  phone: Type.Optional(Phone),
  email: Type.Optional(Email),
  customerId: Type.Optional(Uuid),
  referrerId: Type.Optional(Uuid)
}, { additionalProperties: false })
export type PersonalDataSubjectInput = Static<typeof PersonalDataSubjectInput>

const Subject = Type.Object({
  phone: Type.Optional(Type.String()), email: Type.Optional(Type.String()),
  customerId: Type.Optional(Type.String()), referrerId: Type.Optional(Type.String())
})
const kindsObject = <T extends Parameters<typeof Type.Object>[0][string]>(of: T) =>
  Type.Object(Object.fromEntries(recordKinds.map((k) => [k, of])) as Record<(typeof recordKinds)[number], T>)

/** The JSON document (REST answer; GraphQL `export`). Records keep their stored shape, sealed values opened. */
export const PersonalDataExportView = Type.Object({
  exportId: Type.String({ description: 'Names this export: the entityId of its audit entry privacy.exported' }),
  generatedAt: Type.String(),
  subject: Subject,
  counts: kindsObject(Type.Integer()),
  records: kindsObject(Type.Array(Type.Record(Type.String(), Type.Unknown())))
})
