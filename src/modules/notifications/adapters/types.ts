/** The kinds of channel (src/db/schema/enums.ts, channel_kind). */
export type ChannelKind = 'wecom_robot' | 'dingtalk_robot' | 'sms' | 'email'

/**
 * What a message says, as the enqueuer rendered it (docs/notifications.md, "Content"):
 * robots send `text` (or `markdown` when set, with `title` for DingTalk), SMS sends the
 * provider template `templateCode` with `params`, email sends `subject`, `text` and `html`.
 */
export type MessageContent = {
  subject?: string
  text: string
  html?: string
  markdown?: boolean
  title?: string
  params?: Record<string, string>
  templateCode?: string
  /** Robots: mobiles to @-mention (WeCom mentioned_mobile_list, DingTalk at.atMobiles). */
  mentionedMobiles?: string[]
}

/** A channel ready to send: its kind, its settings and its opened secrets. */
export type ChannelSettings = {
  kind: ChannelKind
  config: Record<string, unknown>
  secrets: Record<string, string>
}

/** Where one message goes: a phone (SMS), an address (email); robots post to their group. */
export type Recipient = { phone?: string | null; email?: string | null }

export type SendContext = { timeoutMs: number; allowPrivate: boolean; now: Date }

/**
 * What one attempt came to, whatever the channel: the provider's status (HTTP, or the
 * SMTP reply code), why it failed, the provider's id for the message, the start of the answer,
 * how long it took, and whether trying again later could help.
 */
export type AdapterResult = {
  ok: boolean
  statusCode: number | null
  error: string | null
  providerMessageId: string | null
  excerpt: string | null
  latencyMs: number
  retryable: boolean
  /** From a Retry-After header, when the provider sent one. */
  retryAfter?: string | null
}

export type Adapter = (channel: ChannelSettings, to: Recipient, content: MessageContent, ctx: SendContext) => Promise<AdapterResult>

/** A result for a send refused before any connection (bad settings, no address). */
export function refused(error: string, retryable = false): AdapterResult {
  return { ok: false, statusCode: null, error, providerMessageId: null, excerpt: null, latencyMs: 0, retryable }
}
