/**
 * Simplified Chinese for the automation report's messages (src/modules/analytics/automation),
 * spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhAutomationReportMessages: Record<string, string> = {
  'must be a journey id (UUID)': '必须是旅程 ID（UUID）',
  'must be a whole number of days from 1 to {}': '必须是 1 到 {0} 之间的整数天数'
}
