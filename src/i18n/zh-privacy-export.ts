/**
 * Simplified Chinese for the personal data export (src/modules/privacy/export*.ts,
 * docs/privacy.md), spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each value.
 */
export const zhPrivacyExportMessages: Record<string, string> = {
  'Role {} may not export personal data (admin or integration)': '角色 {0} 不能导出个人信息（须为管理员或集成密钥）',
  'A key limited to some entities may not export personal data': '限定了实体范围的密钥不能导出个人信息',
  'is not accepted with Accept: application/x-ndjson (a stream cannot be replayed); send the request without it': '不能与 Accept: application/x-ndjson 同时使用（流式响应无法重放）；请去掉此请求头后重试',
  'name exactly one of phone, email, customerId, referrerId (got {})': '请只提供 phone、email、customerId、referrerId 之一（实际提供：{0}）'
}
