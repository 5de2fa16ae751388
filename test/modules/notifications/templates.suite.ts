import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { CREATE, rand, TEMPLATE_FIELDS } from './gate-support.js'

const UPDATE = `mutation($id: ID!, $i: UpdateMessageTemplateInput!) { updateMessageTemplate(id: $id, input: $i) { template { ${TEMPLATE_FIELDS} } userErrors { field message code } } }`
const ZH = { 'accept-language': 'zh-CN' }

await forEachDatabase(t, async (t, ctx) => {
  const marketing = await ctx.staff('marketing')
  const sales = await ctx.staff('sales')

  await t.test('marketing creates SMS and email templates; variables are listed; REST and GraphQL agree', async (t) => {
    const r = await ctx.gql(marketing.token, CREATE, { i: {
      key: `birthday-${rand()}`, name: '生日祝福', channelKind: 'email', purpose: 'marketing', subject: '{{customer.name}}，生日快乐',
      body: '亲爱的{{ customer.name }}，{{owner.name}}祝您生日快乐。退订：{{unsubscribeUrl}}', html: '<p>{{customer.name}}</p><a href="{{unsubscribeUrl}}">退订</a>'
    } })
    t.same(r.data.createMessageTemplate.userErrors, [])
    const tpl = r.data.createMessageTemplate.template
    t.match(tpl, { channelKind: 'email', purpose: 'marketing', language: 'zh-CN', format: 'text', active: true, version: 1 })
    t.same(tpl.variables, ['customer.name', 'owner.name', 'unsubscribeUrl'])
    const rest = await ctx.rest(sales.token, 'GET', `/api/v1/message-templates/${tpl.id}`)
    t.equal(rest.statusCode, 200, 'sales reads templates')
    t.equal(rest.headers.etag, '"1"')
    t.match(rest.json(), { id: tpl.id, subject: '{{customer.name}}，生日快乐' })
    const posted = await ctx.rest(marketing.token, 'POST', '/api/v1/message-templates', {
      key: `ticket-${rand()}`, name: '工单更新', channelKind: 'sms', purpose: 'service', body: '工单{{ticket.subject}}：{{ticket.status}}', providerTemplateCode: 'SMS_9'
    })
    t.equal(posted.statusCode, 201)
    t.same(posted.json().variables, ['ticket.subject', 'ticket.status'])
    const inline = await ctx.gql(marketing.token, `mutation { createMessageTemplate(input: { key: "robot-${rand()}", name: "群提醒", channelKind: wecom_robot, purpose: staff, format: markdown, body: "**{{customer.name}}** 有新线索" }) {
      template { channelKind format variables } userErrors { code } } }`)
    t.same(inline.data.createMessageTemplate, { template: { channelKind: 'wecom_robot', format: 'markdown', variables: ['customer.name'] }, userErrors: [] })
    const list = await ctx.gql(sales.token, '{ messageTemplates(first: 1, filter: { channelKind: email }) { edges { node { channelKind } } totalCount pageInfo { hasNextPage } } }')
    t.ok(list.data.messageTemplates.totalCount >= 1)
    t.same(list.data.messageTemplates.edges.map((e: { node: { channelKind: string } }) => e.node.channelKind), ['email'])
    const restList = await ctx.rest(sales.token, 'GET', '/api/v1/message-templates?purpose=service&limit=5')
    t.ok(restList.json().data.every((x: { purpose: string }) => x.purpose === 'service'))
  })

  await t.test('an unknown variable, a missing subject or provider code, a missing unsubscribe link: each a userError on its field, nothing saved', async (t) => {
    const base = { key: `bad-${rand()}`, name: 'bad', purpose: 'service' }
    const cases: [Record<string, unknown>, string[]][] = [
      [{ channelKind: 'sms', body: '{{customer.nmae}}', providerTemplateCode: 'S1' }, ['body:UNKNOWN_VARIABLE']],
      [{ channelKind: 'sms', body: 'hi {{customer.name' , providerTemplateCode: 'S1' }, ['body:MALFORMED_PLACEHOLDER']],
      [{ channelKind: 'email', body: 'hi' }, ['subject:REQUIRED']],
      [{ channelKind: 'sms', body: 'hi' }, ['providerTemplateCode:REQUIRED']],
      [{ channelKind: 'sms', body: 'hi', providerTemplateCode: 'S1', subject: 'x' }, ['subject:NOT_APPLICABLE']],
      [{ channelKind: 'sms', body: 'hi', providerTemplateCode: 'S1', purpose: 'marketing' }, ['body:UNSUBSCRIBE_REQUIRED']],
      [{ channelKind: 'email', subject: 's', body: '{{unsubscribeUrl}}', html: '<p>x</p>', purpose: 'marketing' }, ['html:UNSUBSCRIBE_REQUIRED']],
      [{ channelKind: 'wecom_robot', body: '{{unsubscribeUrl}}', purpose: 'staff' }, ['body:UNKNOWN_VARIABLE']],
      [{ channelKind: 'sms', body: 'hi', providerTemplateCode: 'S1', format: 'markdown' }, ['format:NOT_APPLICABLE']]
    ]
    for (const [input, want] of cases) {
      const r = await ctx.gql(marketing.token, CREATE, { i: { ...base, ...input } })
      t.same(r.data.createMessageTemplate.userErrors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`), want, JSON.stringify(input))
    }
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/message-templates', { ...base, channelKind: 'sms', body: '{{order.total}}', providerTemplateCode: 'S1' }, ZH)
    t.equal(rest.statusCode, 400)
    t.match(rest.json().errors, [{ field: 'body', code: 'UNKNOWN_VARIABLE', message: '使用了未知变量：order.total' }])
    const [row] = await ctx.sql<{ n: number }>("select count(*)::int as n from message_templates where name = 'bad'")
    t.equal(row.n, 0)
  })

  await t.test('roles: sales and service read but do not write; a referrer neither', async (t) => {
    const body = { key: `x-${rand()}`, name: 'x', channelKind: 'sms', purpose: 'service', body: 'hi', providerTemplateCode: 'S' }
    t.equal((await ctx.rest(sales.token, 'POST', '/api/v1/message-templates', body)).statusCode, 403)
    const service = await ctx.staff('service')
    t.equal((await ctx.rest(service.token, 'POST', '/api/v1/message-templates', body)).statusCode, 403)
    t.equal((await ctx.rest(service.token, 'GET', '/api/v1/message-templates')).statusCode, 200)
    const ref = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: '渠道丙' })
    const token = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.json().id })).json().accessToken
    t.equal((await ctx.rest(token, 'GET', '/api/v1/message-templates')).statusCode, 403)
    t.match((await ctx.gql(token, '{ messageTemplates { totalCount } }')).errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('update (If-Match, checked again as a whole), a taken key, delete', async (t) => {
    const key = `upd-${rand()}`
    const created = await ctx.rest(marketing.token, 'POST', '/api/v1/message-templates', { key, name: 'v1', channelKind: 'sms', purpose: 'service', body: 'hi {{customer.name}}', providerTemplateCode: 'S' })
    const id = created.json().id
    t.equal((await ctx.rest(marketing.token, 'PATCH', `/api/v1/message-templates/${id}`, { name: 'v2' }, { 'if-match': '"9"' })).statusCode, 412)
    const ok = await ctx.rest(marketing.token, 'PATCH', `/api/v1/message-templates/${id}`, { body: '{{owner.name}}', name: 'v2' }, { 'if-match': '"1"' })
    t.match(ok.json(), { name: 'v2', version: 2, variables: ['owner.name'] })
    const bad = await ctx.gql(marketing.token, UPDATE, { id, i: { purpose: 'marketing' } })
    t.match(bad.data.updateMessageTemplate.userErrors, [{ field: 'body', code: 'UNSUBSCRIBE_REQUIRED' }])
    const dup = await ctx.rest(marketing.token, 'POST', '/api/v1/message-templates', { key, name: 'again', channelKind: 'sms', purpose: 'service', body: 'x', providerTemplateCode: 'S' })
    t.equal(dup.statusCode, 409)
    t.match(dup.json().errors, [{ field: 'key', code: 'TAKEN' }])
    const del = await ctx.gql(marketing.token, 'mutation($id: ID!) { deleteMessageTemplate(id: $id) { deletedId userErrors { code } } }', { id })
    t.same(del.data.deleteMessageTemplate, { deletedId: id, userErrors: [] })
    t.equal((await ctx.rest(marketing.token, 'GET', `/api/v1/message-templates/${id}`)).statusCode, 404)
    t.equal((await ctx.gql(marketing.token, 'query($id: ID!) { messageTemplate(id: $id) { id } }', { id })).data.messageTemplate, null)
    t.equal((await ctx.rest(marketing.token, 'DELETE', `/api/v1/message-templates/${id}`)).statusCode, 404)
  })
})
