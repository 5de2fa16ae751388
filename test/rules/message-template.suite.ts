import t from 'tap'
import fc from 'fast-check'
import {
  allowedVariables, escapeHtml, extractVariables, render, renderTemplate, templateProblems, variableNames, type TemplateParts
} from '../../src/rules/message-template.js'

const sms = (over: Partial<TemplateParts> = {}): TemplateParts => ({
  channelKind: 'sms', purpose: 'service', format: 'text', subject: null, body: 'hi', html: null, providerTemplateCode: 'S1', ...over
})

t.test('variables: {{path}} with optional spaces, distinct, in order; anything else is malformed', async (t) => {
  t.same(extractVariables('{{customer.name}} {{ owner.name }} {{customer.name}}'), { variables: ['customer.name', 'owner.name'], malformed: [] })
  t.same(extractVariables('{{ 1x }} {{a b}}').malformed, ['{{ 1x }}', '{{a b}}'])
  t.same(extractVariables('hi {{customer.name').malformed, ['{{'])
  t.same(extractVariables('no placeholders'), { variables: [], malformed: [] })
})

t.test('problems name the field: unknown variables, required parts per channel, the unsubscribe link of marketing', async (t) => {
  t.same(templateProblems(sms()), [])
  t.match(templateProblems(sms({ body: '{{customer.secret}}' })), [{ field: 'body', code: 'UNKNOWN_VARIABLE', message: 'uses an unknown variable: customer.secret' }])
  t.match(templateProblems(sms({ providerTemplateCode: null })), [{ field: 'providerTemplateCode', code: 'REQUIRED' }])
  t.match(templateProblems(sms({ channelKind: 'email', providerTemplateCode: null })), [{ field: 'subject', code: 'REQUIRED' }])
  t.match(templateProblems(sms({ purpose: 'marketing' })), [{ field: 'body', code: 'UNSUBSCRIBE_REQUIRED' }])
  t.same(templateProblems(sms({ purpose: 'marketing', body: '退订 {{unsubscribeUrl}}' })), [])
  t.same(templateProblems(sms({ channelKind: 'wecom_robot', purpose: 'marketing', providerTemplateCode: null })), [], 'robots carry no unsubscribe link')
  t.notOk(allowedVariables('staff').has('unsubscribeUrl'))
})

t.test('render: values in, html escaped in html only, missing values empty; SMS params from the body', async (t) => {
  t.equal(render('{{a}}<{{ b }}>', { a: 'x&y', b: '1' }), 'x&y<1>')
  t.equal(render('<p>{{a}}</p>', { a: '<script>' }, 'html'), '<p>&lt;script&gt;</p>')
  t.equal(render('[{{missing}}]', {}), '[]')
  const content = renderTemplate({ channelKind: 'sms', format: 'text', subject: null, body: '{{customer.name}}：{{coupon.code}}', html: null }, { 'customer.name': '王', 'coupon.code': 'AB' })
  t.same(content, { text: '王：AB', params: { customer_name: '王', coupon_code: 'AB' } })
  const email = renderTemplate({ channelKind: 'email', format: 'text', subject: '致{{customer.name}}', body: 'b', html: '<b>{{customer.name}}</b>' }, { 'customer.name': 'A&B' })
  t.same(email, { text: 'b', subject: '致A&B', html: '<b>A&amp;B</b>' })
})

const arbText = fc.string({ maxLength: 40 }).filter((s) => !s.includes('{') && !s.includes('}'))
const arbVar = fc.constantFrom(...variableNames)

t.test('property: a template of known variables and plain text has no problems, and renders each value exactly', async (t) => {
  fc.assert(fc.property(fc.array(fc.tuple(arbText, arbVar), { maxLength: 8 }), fc.dictionary(arbVar, arbText), (parts, values) => {
    const body = parts.map(([text, v]) => `${text}{{${v}}}`).join('') || 'x'
    if (templateProblems(sms({ body })).length > 0) return false
    const want = parts.length > 0 ? parts.map(([text, v]) => text + (values[v] ?? '')).join('') : 'x'
    return render(body, values) === want && extractVariables(body).variables.every((v) => parts.some(([, p]) => p === v))
  }), { numRuns: 500 })
})

t.test('property: html rendering never lets a value open a tag', async (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 50 }), (value) => {
    const out = render('<p>{{customer.name}}</p>', { 'customer.name': value }, 'html')
    return out === `<p>${escapeHtml(value)}</p>` && !out.slice(3, -4).includes('<')
  }))
})
