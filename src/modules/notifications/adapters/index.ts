import { sendDingtalk } from './dingtalk.js'
import { sendEmail } from './email.js'
import { sendSms } from './sms.js'
import type { Adapter, ChannelKind } from './types.js'
import { sendWecom } from './wecom.js'

export type { Adapter, AdapterResult, ChannelKind, ChannelSettings, MessageContent, Recipient, SendContext } from './types.js'

/** One adapter per channel kind, each speaking its provider's documented format (docs/notifications.md). */
export const adapters: Record<ChannelKind, Adapter> = {
  wecom_robot: sendWecom,
  dingtalk_robot: sendDingtalk,
  sms: sendSms,
  email: sendEmail
}
