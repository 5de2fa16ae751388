/**
 * Simplified Chinese for the rate-limit answers (src/plugins/rate-limits.ts), spread into
 * zhMessages (src/i18n/zh.ts). A message of parts joined by "; " is translated part by part,
 * so each part has its entry beside the whole.
 */
export const zhRateLimitMessages: Record<string, string> = {
  'Too many requests for this API key; retry in {} s': '此 API 密钥的请求过多；请在 {0} 秒后重试',
  'Too many requests for this API key': '此 API 密钥的请求过多',
  'Too many failed requests from this address; retry in {} s': '来自此地址的失败请求过多；请在 {0} 秒后重试',
  'Too many failed requests from this address': '来自此地址的失败请求过多',
  'retry in {} s': '请在 {0} 秒后重试'
}
