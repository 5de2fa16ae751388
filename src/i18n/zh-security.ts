/**
 * Simplified Chinese for the security review's fixes (referrer token revocation, upserts out of
 * reach, search by personal values), spread into zhMessages (src/i18n/zh.ts).
 * Keys as there: `{}` for each interpolated value.
 */
export const zhSecurityMessages: Record<string, string> = {
  // Referrer tokens end with their referrer (src/plugins/auth.ts).
  'The referrer behind this token is no longer active': '此令牌对应的推荐人已不再有效'
}
