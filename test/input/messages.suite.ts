import t from 'tap'
import { fileURLToPath } from 'node:url'
import { forEachDatabase } from '../helper.js'
import { scanMessages } from '../support/message-scan.js'
import { hasTranslation, localeOf, translate } from '../../src/i18n/translate.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const ZH = { 'accept-language': 'zh-CN' }
const CUSTOMER = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id phone email } userErrors { field message code } } }'

t.test('every message literal a client can read has a Simplified Chinese translation', async (t) => {
  const found = scanMessages(root, ['src/modules', 'src/http', 'src/plugins', 'src/graphql', 'src/db', 'src/errors.ts', 'src/rules'])
  t.ok(found.length > 100, `scanned ${found.length} messages`)
  const missing = found.filter((m) => !hasTranslation(m.text)).map((m) => `${m.at}: ${m.text}`)
  t.same(missing, [], 'add each to src/i18n/zh.ts')
})

t.test('Accept-Language picks the language by q-value; English by default', async (t) => {
  const cases: [string | undefined, string][] = [
    [undefined, 'en'], ['', 'en'], ['zh', 'zh'], ['zh-CN', 'zh'], ['zh-Hans', 'zh'], ['zh-Hans-CN', 'zh'], ['ZH-cn', 'zh'],
    ['en-US,zh;q=0.9', 'en'], ['zh;q=0.5, en;q=0.8', 'en'], ['en;q=0.5, zh-CN;q=0.8', 'zh'], ['fr, zh;q=0.3', 'zh'],
    ['zh-TW', 'en'], ['zh-TW, zh-Hans;q=0.5', 'zh'], ['zh;q=0', 'en'], ['de, fr', 'en'], ['*', 'en']
  ]
  for (const [header, want] of cases) t.equal(localeOf(header), want, String(header))
})

t.test('a field name is never translated, even when it is also a word the catalog knows', async (t) => {
  t.equal(translate('customers: is required', 'zh'), 'customers：为必填项')
  t.equal(translate('Customer 7 not found', 'zh'), '未找到客户 7')
  t.equal(translate('is required', 'en'), 'is required')
})

await forEachDatabase(t, async (t, ctx) => {
  const token = ctx.adminToken

  await t.test('a bad UUID is ONE error naming the field and the expected format, on REST and GraphQL, in English and Chinese', async (t) => {
    const rest = await ctx.rest(token, 'POST', '/api/v1/leads', { name: 'Bad uuid', source: 'web', customerId: 'nope' })
    t.equal(rest.statusCode, 400)
    t.equal(rest.headers['content-language'], 'en')
    t.same(rest.json().errors.map((e: { field: string }) => e.field), ['customerId'], 'once')
    t.match(rest.json().errors[0].message, /must be a UUID; format: 8-4-4-4-12 hexadecimal digits/)
    const path = await ctx.rest(token, 'GET', '/api/v1/customers/not-a-uuid')
    t.match(path.json().errors, [{ field: 'id', message: /must be a UUID/ }])
    t.equal(path.json().errors.length, 1)
    const gql = await ctx.gql(token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { field message code } } }', { i: { name: 'Bad uuid', source: 'web', customerId: 'nope' } })
    t.same(gql.data.createLead.userErrors.map((e: { field: string }) => e.field), ['customerId'])
    t.match(gql.data.createLead.userErrors[0].message, /must be a UUID/)

    const zh = await ctx.rest(token, 'POST', '/api/v1/leads', { name: 'Bad uuid', source: 'web', customerId: 'nope' }, ZH)
    t.equal(zh.headers['content-language'], 'zh-Hans')
    t.match(zh.json(), { code: 'CRM_ERR_VALIDATION', title: '输入无效', detail: '请求无效', errors: [{ field: 'customerId', code: 'ANYOF', message: /^必须是 UUID；格式：8-4-4-4-12 位十六进制数字/ }] })
    const gzh = await ctx.gql(token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { field message code } } }', { i: { name: 'Bad uuid', source: 'web', customerId: 'nope' } }, ZH)
    t.match(gzh.data.createLead.userErrors, [{ field: 'customerId', code: 'INVALID', message: /^必须是 UUID/ }])
  })

  await t.test('an enum field lists the allowed values (REST, GraphQL variable and inline), in both languages', async (t) => {
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Enum', gender: 'x' })
    t.match(rest.json().errors, [{ field: 'gender', message: 'is not one of the allowed values; allowed values: male, female, other, unknown' }])
    t.equal(rest.json().errors.length, 1)
    const variable = await ctx.gql(token, CUSTOMER, { i: { name: 'Enum', gender: 'FOO' } })
    t.equal(variable.status, 400)
    t.match(variable.errors, [{ message: /^\$i\.gender: is not one of the allowed values; allowed values: male, female, other, unknown$/, extensions: { code: 'BAD_USER_INPUT', fields: [{ field: '$i.gender' }] } }])
    t.equal(variable.errors!.length, 1)
    const inline = await ctx.gql(token, 'mutation { createCustomer(input: {name: "Enum", gender: FOO}) { customer { id } } }')
    t.match(inline.errors, [{ extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'createCustomer.input.gender', message: /allowed values: male, female, other, unknown$/ }] } }])
    const zh = await ctx.gql(token, CUSTOMER, { i: { name: 'Enum', gender: 'FOO' } }, ZH)
    t.match(zh.errors, [{ message: /^\$i\.gender：不是允许的取值；允许的取值：male, female, other, unknown$/ }])
    const restZh = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Enum', gender: 'x' }, { 'accept-language': 'en;q=0.1, zh-Hans' })
    t.match(restZh.json().errors, [{ field: 'gender', code: 'ANYOF', message: '不是允许的取值；允许的取值：male, female, other, unknown' }])
  })

  await t.test('a too-long string says the limit and the length it got', async (t) => {
    const long = 'x'.repeat(201)
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: long })
    t.match(rest.json().errors, [{ field: 'name', message: 'must be at most 200 characters long; got 201', code: 'MAXLENGTH' }])
    const gql = await ctx.gql(token, CUSTOMER, { i: { name: long } })
    t.match(gql.data.createCustomer.userErrors, [{ field: 'name', message: 'must be at most 200 characters long; got 201', code: 'INVALID' }])
    const zh = await ctx.gql(token, CUSTOMER, { i: { name: long } }, ZH)
    t.match(zh.data.createCustomer.userErrors, [{ field: 'name', message: '长度最多为 200 个字符；实际为 201', code: 'INVALID' }])
    const restZh = await ctx.rest(token, 'POST', '/api/v1/customers', { name: long }, ZH)
    t.match(restZh.json().errors, [{ field: 'name', message: '长度最多为 200 个字符；实际为 201' }])
  })

  await t.test('a missing and an unknown field say so, and list the known fields', async (t) => {
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { colour: 'red' })
    t.match(rest.json().errors, [{ field: 'name', message: 'is required' }, { field: 'colour', message: /^is not a known field; allowed fields: name, externalId/ }])
    const gql = await ctx.gql(token, CUSTOMER, { i: { colour: 'red' } })
    t.match(gql.errors?.map((e) => e.extensions?.fields), [[{ field: '$i.name', code: 'REQUIRED' }], [{ field: '$i.colour', message: /allowed fields: name, externalId/ }]])
  })

  await t.test('service messages come translated: a bad phone, a not-found record', async (t) => {
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Phone', phone: '12345' }, ZH)
    t.match(rest.json(), { detail: 'phone：不是有效的中国大陆手机号（以 13-19 开头的 11 位数字）', errors: [{ field: 'phone', code: 'INVALID_PHONE', message: '不是有效的中国大陆手机号（以 13-19 开头的 11 位数字）' }] })
    const gql = await ctx.gql(token, CUSTOMER, { i: { name: 'Phone', phone: '12345' } }, ZH)
    t.match(gql.data.createCustomer.userErrors, [{ field: 'phone', code: 'INVALID_PHONE', message: /^不是有效的中国大陆手机号/ }])
    const missing = await ctx.rest(token, 'GET', '/api/v1/customers/3f2b9c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b', undefined, ZH)
    t.match(missing.json(), { code: 'CRM_ERR_NOT_FOUND', title: '未找到', detail: '未找到客户 3f2b9c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b' })
    const gmissing = await ctx.gql(token, 'query { customer(id: "3f2b9c1e-8a4d-4e6f-9b0a-1c2d3e4f5a6b") { id } }', undefined, ZH)
    if (gmissing.errors) t.match(gmissing.errors, [{ extensions: { code: 'NOT_FOUND' }, message: /^未找到客户/ }])
    else t.equal(gmissing.data.customer, null)
  })

  await t.test('an empty phone or email means no value on both transports', async (t) => {
    const rest = await ctx.rest(token, 'POST', '/api/v1/customers', { name: 'Empty contact rest', phone: '', email: '' })
    t.equal(rest.statusCode, 201)
    t.match(rest.json(), { phone: null, email: null })
    const gql = await ctx.gql(token, CUSTOMER, { i: { name: 'Empty contact gql', phone: '', email: '' } })
    t.same(gql.data.createCustomer.userErrors, [])
    t.match(gql.data.createCustomer.customer, { phone: null, email: null })
    const inline = await ctx.gql(token, 'mutation { createCustomer(input: {name: "Empty inline", phone: "", email: ""}) { customer { phone email } userErrors { field } } }')
    t.match(inline.data.createCustomer, { customer: { phone: null, email: null }, userErrors: [] })
    // Clearing on update: "" clears as null does.
    const id = rest.json().id
    await ctx.rest(token, 'PATCH', `/api/v1/customers/${id}`, { phone: '13800138000' })
    const cleared = await ctx.gql(token, 'mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { phone } userErrors { field message } } }', { id, i: { phone: '' } })
    t.match(cleared.data.updateCustomer, { customer: { phone: null }, userErrors: [] })
    // A required field stays required: an empty name is refused on both.
    t.match((await ctx.rest(token, 'POST', '/api/v1/customers', { name: '' })).json().errors, [{ field: 'name', message: /must not be empty/ }])
    t.match((await ctx.gql(token, CUSTOMER, { i: { name: '' } })).data.createCustomer.userErrors, [{ field: 'name', message: /must not be empty/ }])
  })
})
