/**
 * Simplified Chinese for the guardrails' messages: message templates (src/rules/message-template.ts,
 * src/modules/notifications/templates*), consents (src/modules/consents) and the message gate.
 * Spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhGuardrailMessages: Record<string, string> = {
  // Templates (src/rules/message-template.ts, src/modules/notifications/templates.service.ts).
  'has a malformed placeholder: {}': '包含格式错误的占位符：{0}',
  'uses an unknown variable: {}': '使用了未知变量：{0}',
  'is required for an email template': '邮件模板必须填写',
  'is only for email templates': '仅适用于邮件模板',
  'is required for an SMS template': '短信模板必须填写',
  'is only for SMS templates': '仅适用于短信模板',
  'markdown is only for WeCom and DingTalk robots': 'markdown 格式仅适用于企业微信和钉钉机器人',
  'must carry the unsubscribe link (the unsubscribeUrl variable): it is a marketing template': '必须包含退订链接（unsubscribeUrl 变量）：这是营销模板',
  'Invalid message template: {}': '消息模板无效：{0}',
  'key: another message template of this channel kind and language already has this key': 'key：同一渠道类型和语言的另一个消息模板已使用此 key',
  'is already used by another message template of this channel kind and language': '已被同一渠道类型和语言的另一个消息模板使用',
  // Consents (src/modules/consents/consents.service.ts, consents.routes.ts).
  'name exactly one subject: customerId or referrerId': '请只指定一个主体：customerId 或 referrerId',
  'is required for an import: where the signed form or file is kept': '导入时必须填写：签署的表单或文件的存放位置',
  'is required when staff record on behalf of the person: who said what, and how': '员工代为记录时必须填写：谁、以何种方式、说了什么',
  'cannot be in the future': '不能是将来的时间',
  'You will receive no more marketing messages on this channel.': '您将不再通过此渠道收到营销消息。',
  // The gate (src/modules/notifications/message-gate.service.ts): a caller's programming error.
  'enqueueCustomerMessages: every request needs a dedupeKey': 'enqueueCustomerMessages：每个请求都需要 dedupeKey'
}

export const zhGuardrailTerms: Record<string, string> = {
  MessageTemplate: '消息模板', 'Unsubscribe link': '退订链接', Consent: '同意记录'
}
