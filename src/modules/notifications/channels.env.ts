import type { Config } from '../../config.js'
import type { ChannelKind, ChannelSettings } from './adapters/types.js'
import { DEFAULT_API_KEY_HEADER } from './adapters/sms.js'

/**
 * Channels configured by the environment (docs/notifications.md, "Defaults from the
 * environment"): SMS_PROVIDER_URL (+ SMS_API_KEY, SMS_API_KEY_HEADER, SMS_SIGN_NAME) and
 * SMTP_URL (+ SMTP_FROM). Such a channel is the default of its kind when no channel of that
 * kind is marked `isDefault` in the database; it is not stored, so its secrets stay in the
 * environment and a change takes effect at restart.
 */
export function envChannels(config: Config): Partial<Record<ChannelKind, ChannelSettings>> {
  const out: Partial<Record<ChannelKind, ChannelSettings>> = {}
  if (config.SMS_PROVIDER_URL) {
    out.sms = {
      kind: 'sms',
      config: { url: config.SMS_PROVIDER_URL, apiKeyHeader: config.SMS_API_KEY_HEADER ?? DEFAULT_API_KEY_HEADER, ...(config.SMS_SIGN_NAME ? { signName: config.SMS_SIGN_NAME } : {}) },
      secrets: config.SMS_API_KEY ? { apiKey: config.SMS_API_KEY } : {}
    }
  }
  if (config.SMTP_URL && config.SMTP_FROM) {
    const url = new URL(config.SMTP_URL)
    const secure = url.protocol === 'smtps:'
    out.email = {
      kind: 'email',
      config: {
        host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 465 : 587, secure, from: config.SMTP_FROM,
        ...(url.username ? { username: decodeURIComponent(url.username) } : {})
      },
      secrets: url.password ? { password: decodeURIComponent(url.password) } : {}
    }
  }
  return out
}
