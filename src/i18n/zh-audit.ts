/**
 * Simplified Chinese for the audit trail's messages (src/modules/audit), spread into
 * zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhAuditMessages: Record<string, string> = {
  'must not be before from': '不能早于 from'
}
