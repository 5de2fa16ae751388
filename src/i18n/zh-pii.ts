/**
 * Simplified Chinese for personal-data keys and ID numbers (docs/security.md), spread into
 * zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhPiiMessages: Record<string, string> = {
  // ID numbers (src/rules/id-number.ts).
  'is not a mainland resident ID number (18 characters: 17 digits and a digit or X)': '不是有效的居民身份证号码（18 位：17 位数字加 1 位数字或 X）',
  'has no valid birth date (characters 7 to 14, YYYYMMDD)': '出生日期无效（第 7 至 14 位，YYYYMMDD）',
  'has a birth date in the future': '出生日期晚于今天',
  'has a wrong check character (ISO 7064 MOD 11-2)': '校验码错误（ISO 7064 MOD 11-2）',
  // Key rotation (src/modules/pii-keys/).
  'Only admins see the personal-data key status': '只有管理员可以查看个人信息密钥状态',
  'Only admins start the personal-data re-seal': '只有管理员可以启动个人信息重新加密'
}
