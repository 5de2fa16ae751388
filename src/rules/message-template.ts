/**
 * Message templates (docs/guardrails.md, "Templates"): `{{path}}` placeholders and nothing
 * else: no logic, no loops, no filters. Pure: extract the variables, check them against the
 * catalogue of what a message may say, render with values the caller resolved.
 */

export type ChannelKind = 'wecom_robot' | 'dingtalk_robot' | 'sms' | 'email'
export type MessagePurpose = 'marketing' | 'service' | 'staff'

/**
 * Every variable a template may use, by the context record it comes from. `customer.*` and
 * `owner.*` come with every customer message; the others need the id in the request's context.
 */
export const variableCatalogue = {
  'customer.name': 'The customer\'s name',
  'customer.company': 'Company',
  'customer.title': 'Job title',
  'customer.region': 'Region',
  'customer.tier': 'Tier A/B/C',
  'customer.lifecycleStage': 'Lifecycle stage',
  'customer.phone': 'Phone, always masked (138****1234)',
  'customer.email': 'Email, always masked',
  'owner.name': 'The customer\'s owner (sales rep)',
  'owner.email': 'The owner\'s work email',
  'lead.name': 'The lead\'s name (context.leadId)',
  'lead.status': 'The lead\'s status',
  'lead.source': 'The lead\'s source',
  'referral.status': 'The referral\'s status (context.referralId)',
  'referral.referrerName': 'The name of the referrer who made it',
  'order.externalId': 'The ERP order number (context.orderId)',
  'order.amount': 'Amount, formatted (¥1,234.50)',
  'order.paidAt': 'Paid date in the reporting time zone (YYYY-MM-DD)',
  'ticket.subject': 'The ticket\'s subject (context.ticketId)',
  'ticket.status': 'The ticket\'s status',
  'ticket.category': 'The ticket\'s category',
  'coupon.code': 'The coupon code as printed, XXXX-XXXX-XXXX-X (context.couponId)',
  'coupon.name': 'The coupon template\'s name',
  'coupon.validUntil': 'Last valid day (YYYY-MM-DD), empty when open-ended',
  unsubscribeUrl: 'The one-click unsubscribe link of this message (marketing and service)'
} as const satisfies Record<string, string>

export type VariableName = keyof typeof variableCatalogue
export const variableNames = Object.keys(variableCatalogue) as VariableName[]

/** The context id a variable's record is found by; customer and owner come from the customer. */
export const contextKeyOf = (name: string): string | null => {
  const root = name.split('.')[0]
  return ['lead', 'referral', 'order', 'ticket', 'coupon'].includes(root) ? `${root}Id` : null
}

/** The variables a purpose may use: staff messages are not sent to a customer, so they have no unsubscribe link. */
export function allowedVariables(purpose: MessagePurpose): ReadonlySet<string> {
  return new Set(variableNames.filter((v) => purpose !== 'staff' || v !== 'unsubscribeUrl'))
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g
const PATH = /^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/

export type Parsed = { variables: string[]; malformed: string[] }

/** The distinct variables of a text in order of first use, and any placeholder that is not a plain path (or an unclosed `{{`). */
export function extractVariables(text: string): Parsed {
  const variables: string[] = []
  const malformed: string[] = []
  for (const m of text.matchAll(PLACEHOLDER)) {
    if (!PATH.test(m[1])) malformed.push(m[0])
    else if (!variables.includes(m[1])) variables.push(m[1])
  }
  const rest = text.replace(PLACEHOLDER, '')
  if (rest.includes('{{') || rest.includes('}}')) malformed.push(rest.includes('{{') ? '{{' : '}}')
  return { variables, malformed }
}

export type TemplateParts = {
  channelKind: ChannelKind; purpose: MessagePurpose; format: string
  subject: string | null; body: string; html: string | null; providerTemplateCode: string | null
}
export type TemplateProblem = { field: string; message: string; code: string }

/** Everything wrong with a template, each on its field; empty when it may be saved. */
export function templateProblems(t: TemplateParts): TemplateProblem[] {
  const problems: TemplateProblem[] = []
  const allowed = allowedVariables(t.purpose)
  const check = (field: string, text: string | null) => {
    if (text == null) return
    const { variables, malformed } = extractVariables(text)
    for (const m of malformed) problems.push({ field, message: `has a malformed placeholder: ${m}`, code: 'MALFORMED_PLACEHOLDER' })
    for (const v of variables) if (!allowed.has(v)) problems.push({ field, message: `uses an unknown variable: ${v}`, code: 'UNKNOWN_VARIABLE' })
  }
  check('subject', t.subject)
  check('body', t.body)
  check('html', t.html)
  if (t.channelKind === 'email' && !t.subject?.trim()) problems.push({ field: 'subject', message: 'is required for an email template', code: 'REQUIRED' })
  if (t.channelKind !== 'email' && t.subject != null) problems.push({ field: 'subject', message: 'is only for email templates', code: 'NOT_APPLICABLE' })
  if (t.channelKind !== 'email' && t.html != null) problems.push({ field: 'html', message: 'is only for email templates', code: 'NOT_APPLICABLE' })
  if (t.channelKind === 'sms' && !t.providerTemplateCode?.trim()) problems.push({ field: 'providerTemplateCode', message: 'is required for an SMS template', code: 'REQUIRED' })
  if (t.channelKind !== 'sms' && t.providerTemplateCode != null) problems.push({ field: 'providerTemplateCode', message: 'is only for SMS templates', code: 'NOT_APPLICABLE' })
  if (t.format === 'markdown' && !t.channelKind.endsWith('_robot')) problems.push({ field: 'format', message: 'markdown is only for WeCom and DingTalk robots', code: 'NOT_APPLICABLE' })
  if (t.purpose === 'marketing' && (t.channelKind === 'sms' || t.channelKind === 'email')) {
    const carries = (text: string | null) => text != null && extractVariables(text).variables.includes('unsubscribeUrl')
    if (!carries(t.body)) problems.push({ field: 'body', message: 'must carry the unsubscribe link (the unsubscribeUrl variable): it is a marketing template', code: 'UNSUBSCRIBE_REQUIRED' })
    if (t.html != null && !carries(t.html)) problems.push({ field: 'html', message: 'must carry the unsubscribe link (the unsubscribeUrl variable): it is a marketing template', code: 'UNSUBSCRIBE_REQUIRED' })
  }
  return problems
}

/** All variables of a template's parts, in order of first use (subject, body, html). */
export function templateVariables(t: Pick<TemplateParts, 'subject' | 'body' | 'html'>): string[] {
  const out: string[] = []
  for (const text of [t.subject, t.body, t.html]) {
    if (text == null) continue
    for (const v of extractVariables(text).variables) if (!out.includes(v)) out.push(v)
  }
  return out
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c])

/** The text with each placeholder replaced by its value ('' when there is none), HTML-escaped for html. */
export function render(text: string, values: Readonly<Record<string, string>>, escape: 'html' | 'none' = 'none'): string {
  return text.replace(PLACEHOLDER, (whole, path: string) => {
    if (!PATH.test(path)) return whole
    const v = values[path] ?? ''
    return escape === 'html' ? escapeHtml(v) : v
  })
}

/** What a message carries (the `content` of a messages row), as the delivery adapters read it. */
export type MessageContent = {
  subject?: string; text: string; html?: string; markdown?: boolean; title?: string; params?: Record<string, string>
}

/** SMS providers name parameters with letters, digits and underscores: `customer.name` → `customer_name`. */
export const paramName = (variable: string): string => variable.replace(/\./g, '_')

/** A template rendered with resolved values: the SMS params are the body's variables. */
export function renderTemplate(t: Pick<TemplateParts, 'channelKind' | 'format' | 'subject' | 'body' | 'html'> & { name?: string }, values: Readonly<Record<string, string>>): MessageContent {
  const text = render(t.body, values)
  const content: MessageContent = { text }
  if (t.channelKind === 'email') {
    content.subject = render(t.subject ?? '', values)
    if (t.html != null) content.html = render(t.html, values, 'html')
  }
  if (t.format === 'markdown') {
    content.markdown = true
    content.title = t.subject != null ? render(t.subject, values) : (t.name ?? text.split('\n')[0].slice(0, 64))
  }
  if (t.channelKind === 'sms') {
    content.params = Object.fromEntries(extractVariables(t.body).variables.map((v) => [paramName(v), values[v] ?? '']))
  }
  return content
}
