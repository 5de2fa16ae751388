/**
 * Simplified Chinese for erasure and retention messages (src/modules/privacy/erasure*),
 * spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhPrivacyErasureMessages: Record<string, string> = {
  'Only an administrator may erase personal data': '只有管理员可以删除个人信息',
  'give exactly one of phone, email, customerId, referrerId': '请只提供 phone、email、customerId、referrerId 之一',
  'belongs to a person whose personal data was erased; it cannot be used again': '属于个人信息已被删除的人，不能再次使用',
  'externalId: belongs to a person whose personal data was erased; it cannot be used again': 'externalId：属于个人信息已被删除的人，不能再次使用',
  'Customer {} was erased (personal data destroyed); it cannot be merged': '客户 {0} 的个人信息已被删除，不能合并'
}
