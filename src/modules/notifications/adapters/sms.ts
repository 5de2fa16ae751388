import { isRetryable, isSuccess } from '../../../rules/webhook-retry.js'
import { answerJson, postJson } from './http-json.js'
import { refused, type Adapter } from './types.js'

export const DEFAULT_API_KEY_HEADER = 'X-Api-Key'

/**
 * The generic HTTP SMS provider (docs/notifications.md, "SMS"): POST the configured URL with
 * the API key in the configured header (default X-Api-Key) and the JSON body
 * `{ to, templateCode, params, signName }`. Any 2xx is success; the provider's id is read
 * from `messageId`, `id`, `bizId` or `requestId` of a JSON answer. 429, 5xx and timeouts are retried.
 */
export const sendSms: Adapter = async (channel, to, content, ctx) => {
  const url = typeof channel.config.url === 'string' ? channel.config.url : null
  if (!url) return refused('the channel has no provider url')
  if (!to.phone) return refused('the recipient has no phone number')
  const templateCode = content.templateCode ?? null
  if (!templateCode) return refused('the message has no SMS template code')
  const header = typeof channel.config.apiKeyHeader === 'string' ? channel.config.apiKeyHeader : DEFAULT_API_KEY_HEADER
  const headers: Record<string, string> = channel.secrets.apiKey ? { [header.toLowerCase()]: channel.secrets.apiKey } : {}
  const body = { to: to.phone, templateCode, params: content.params ?? {}, signName: typeof channel.config.signName === 'string' ? channel.config.signName : null }
  const sent = await postJson(url, body, headers, ctx)
  const ok = isSuccess(sent.statusCode)
  const answer = ok ? answerJson(sent.answer) : null
  const id = answer ? answer.messageId ?? answer.id ?? answer.bizId ?? answer.requestId : null
  return {
    ok, statusCode: sent.statusCode, excerpt: sent.excerpt, latencyMs: sent.latencyMs, retryAfter: sent.retryAfter,
    error: ok ? null : sent.error ?? `HTTP ${sent.statusCode}`,
    providerMessageId: id == null ? null : String(id),
    retryable: !ok && isRetryable(sent.statusCode)
  }
}
