import { Type, type Static } from '@sinclair/typebox'
import { channelKindEnum, messagePurposeEnum } from '../../db/schema/enums.js'
import { ExpectedVersion, ExternalId, ListQuery, Nullable, optionalAll, StringEnum, Text } from '../common/schemas.js'

export const channelKinds = channelKindEnum.enumValues
export const messagePurposes = messagePurposeEnum.enumValues
export const templateFormats = ['text', 'markdown'] as const

const fields = {
  key: Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z0-9][a-z0-9_.-]*$', description: 'Stable name (lower case, digits, _ . -): unique per channel kind and language' }),
  name: Text(200),
  channelKind: StringEnum(channelKinds),
  language: Type.String({ pattern: '^[a-z]{2}(-[A-Z][A-Za-z]{1,3})?$', description: 'zh-CN (default), en, ...' }),
  purpose: StringEnum(messagePurposes),
  format: StringEnum(templateFormats, 'text (default) or markdown (WeCom and DingTalk robots)'),
  subject: Nullable(Text(300)),
  body: Text(4000),
  html: Nullable(Text(100_000)),
  providerTemplateCode: Nullable(Type.String({ minLength: 1, maxLength: 100, pattern: '^\\S+$' })),
  active: Type.Boolean(),
  externalId: Nullable(ExternalId)
}
const { key, name, channelKind, purpose, body, ...optional } = fields
export const TemplateCreate = Type.Object({ key, name, channelKind, purpose, body, ...optionalAll(optional) }, { additionalProperties: false })
export type TemplateCreate = Static<typeof TemplateCreate>
export const TemplateUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type TemplateUpdate = Static<typeof TemplateUpdate>

export const TemplateFilter = Type.Object({
  channelKind: Type.Optional(StringEnum(channelKinds)),
  purpose: Type.Optional(StringEnum(messagePurposes)),
  active: Type.Optional(Type.Boolean()),
  key: Type.Optional(fields.key),
  language: Type.Optional(fields.language)
}, { additionalProperties: false })

export const TemplateListQuery = Type.Object({ limit: ListQuery.limit, cursor: ListQuery.cursor, ...TemplateFilter.properties }, { additionalProperties: false })

const Str = Type.String()
const N = <T extends Parameters<typeof Nullable>[0]>(s: T) => Nullable(s)
export const TemplateView = Type.Object({
  id: Str, externalId: N(Str), key: Str, name: Str, channelKind: Str, language: Str, purpose: Str, format: Str, subject: N(Str), body: Str,
  html: N(Str), providerTemplateCode: N(Str), variables: Type.Array(Str), active: Type.Boolean(), version: Type.Integer(), createdAt: Str, updatedAt: Str
})
