/**
 * Simplified Chinese for the security review's fixes (referrer token revocation, upserts out of
 * reach, search by personal values), spread into zhMessages (src/i18n/zh.ts).
 * Keys as there: `{}` for each interpolated value.
 */
export const zhSecurityMessages: Record<string, string> = {
  // Referrer tokens end with their referrer (src/plugins/auth.ts).
  'The referrer behind this token is no longer active': '此令牌对应的推荐人已不再有效',
  // Search by a clear personal value (src/modules/common/personal-search.ts).
  'Role {} may not search by a personal value it sees only masked': '角色 {0} 只能看到脱敏后的个人信息，不能按明文个人信息搜索',
  'is a personal value (phone, email) that this role sees only masked': '是个人信息（手机号、邮箱），该角色只能看到脱敏后的值'
}
