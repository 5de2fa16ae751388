import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { ExpectedVersion, ExternalId, Nullable, optionalAll, StringEnum, Text, Uuid } from '../common/schemas.js'

export const channelKinds = ['wecom_robot', 'dingtalk_robot', 'sms', 'email'] as const

const HttpUrl = Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://', description: 'http(s) URL; no private addresses unless WEBHOOK_ALLOW_PRIVATE_URLS' })
const Secret = Type.String({ minLength: 1, maxLength: 1024 })
const strict = { additionalProperties: false }

/**
 * What each kind of channel needs (docs/notifications.md): `config` is stored and shown,
 * `secrets` are sealed with the PII cipher and never shown (hasSecret, secretFields).
 */
export const kindSchemas = {
  wecom_robot: {
    config: Type.Object({ url: Type.Optional(HttpUrl) }, strict),
    secrets: Type.Object({ key: Secret }, strict)
  },
  dingtalk_robot: {
    config: Type.Object({ url: Type.Optional(HttpUrl) }, strict),
    secrets: Type.Object({ accessToken: Secret, signSecret: Type.Optional(Secret) }, strict)
  },
  sms: {
    config: Type.Object({
      url: HttpUrl,
      apiKeyHeader: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$', description: 'Header carrying the API key (default X-Api-Key)' })),
      signName: Type.Optional(Text(64))
    }, strict),
    secrets: Type.Object({ apiKey: Type.Optional(Secret) }, strict)
  },
  email: {
    config: Type.Object({
      host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' }),
      port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
      secure: Type.Optional(Type.Boolean({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when offered' })),
      from: Type.String({ minLength: 3, maxLength: 320 }),
      username: Type.Optional(Text(320))
    }, strict),
    secrets: Type.Object({ password: Type.Optional(Secret) }, strict)
  }
} satisfies Record<(typeof channelKinds)[number], { config: TSchema; secrets: TSchema }>

const fields = {
  name: Text(200),
  externalId: Nullable(ExternalId),
  teamId: Nullable(Uuid),
  config: Type.Record(Type.String(), Type.Unknown(), { description: 'Per kind: see docs/notifications.md' }),
  secrets: Type.Record(Type.String(), Nullable(Secret), { description: 'Per kind; write-only. On update, given names replace, null removes one' }),
  active: Type.Boolean(),
  isDefault: Type.Boolean({ description: 'The channel of its kind used when a message names none' })
}

const { name, ...optional } = fields
export const ChannelCreate = Type.Object({ name, kind: StringEnum(channelKinds), ...optionalAll(optional) }, strict)
export const ChannelUpdate = Type.Object({ ...optionalAll(fields), expectedVersion: Type.Optional(ExpectedVersion) }, strict)
export type ChannelCreate = Static<typeof ChannelCreate>
export type ChannelUpdate = Static<typeof ChannelUpdate>

const DateTime = Type.String({ format: 'date-time' })

/** What a client sees of a channel: settings, and which secrets are set, never their values. */
export const ChannelView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  name: Type.String(),
  kind: StringEnum(channelKinds),
  teamId: Nullable(Type.String()),
  config: Type.Record(Type.String(), Type.Unknown()),
  hasSecret: Type.Boolean(),
  secretFields: Type.Array(Type.String()),
  active: Type.Boolean(),
  isDefault: Type.Boolean(),
  version: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime
})

export const ChannelListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  kind: Type.Optional(StringEnum(channelKinds))
}, strict)

/** Per kind, `{ config, secrets }` as one schema, so errors name `config.url` or `secrets.key`. */
export const kindSettings = Object.fromEntries(channelKinds.map((k) => [k, Type.Object({ config: kindSchemas[k].config, secrets: kindSchemas[k].secrets })])) as
  unknown as Record<(typeof channelKinds)[number], TSchema>
