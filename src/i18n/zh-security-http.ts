/**
 * Simplified Chinese for the messages of the outbound-request guard, request timeouts and
 * HTTP hardening (docs/security.md).
 */
export const zhSecurityHttpMessages: Record<string, string> = {
  'host {} resolves to {} ({}), which is not globally reachable': '主机 {0} 解析到 {1}（{2}），该地址不可全局访问',
  'Request timeout': '请求超时',
  'The request body did not arrive within {} ms': '请求体未在 {0} 毫秒内送达'
}
