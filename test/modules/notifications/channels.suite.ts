import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateNotificationChannelInput!) { createNotificationChannel(input: $i) {
  notificationChannel { id name kind teamId config hasSecret secretFields active isDefault version } userErrors { field message code } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateNotificationChannelInput!, $v: Int) { updateNotificationChannel(id: $id, input: $i, expectedVersion: $v) {
  notificationChannel { id config secretFields isDefault version } userErrors { field message code } } }`

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken

  await t.test('an admin creates a WeCom robot for a team; the key is sealed and never shown', async (t) => {
    const teamId = await ctx.createTeam()
    const r = await ctx.gql(admin, CREATE, { i: { name: 'Sales East group', kind: 'wecom_robot', teamId, secrets: { key: 'wecom-key-1' } } })
    const c = r.data.createNotificationChannel
    t.same(c.userErrors, [])
    t.match(c.notificationChannel, { kind: 'wecom_robot', teamId, config: {}, hasSecret: true, secretFields: ['key'], active: true, isDefault: false, version: 1 })
    t.notMatch(JSON.stringify(r), /wecom-key-1/)
    const [row] = await ctx.sql<{ secret_enc: string }>('select secret_enc from notification_channels where id = $1', [c.notificationChannel.id])
    t.match(row.secret_enc, /^v2\./, 'sealed with the PII cipher')
    t.notMatch(row.secret_enc, /wecom-key-1/)
    const rest = await ctx.rest(admin, 'GET', `/api/v1/notification-channels/${c.notificationChannel.id}`)
    t.equal(rest.statusCode, 200)
    t.notMatch(rest.body, /wecom-key-1|secretEnc/)
    const audit = await ctx.sql<{ changes: unknown }>(`select changes from audit_entries where action = 'notification_channel.created' and entity_id = $1`, [c.notificationChannel.id])
    t.equal(audit.length, 1)
    t.notMatch(JSON.stringify(audit), /wecom-key-1/)
  })

  await t.test('inline arguments work as variables do', async (t) => {
    const r = await ctx.gql(admin, `mutation { createNotificationChannel(input: { name: "Ding", kind: dingtalk_robot, secrets: { accessToken: "T", signSecret: "SEC1" } }) {
      notificationChannel { kind secretFields } userErrors { field } } }`)
    t.same(r.data.createNotificationChannel, { notificationChannel: { kind: 'dingtalk_robot', secretFields: ['accessToken', 'signSecret'] }, userErrors: [] })
  })

  await t.test('config and secrets are checked per kind, naming the field', async (t) => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', kind: 'sms', config: {} }, 'config.url'],
      [{ name: 'x', kind: 'sms', config: { url: 'ftp://x' } }, 'config.url'],
      [{ name: 'x', kind: 'wecom_robot', secrets: {} }, 'secrets.key'],
      [{ name: 'x', kind: 'wecom_robot', config: { other: 1 }, secrets: { key: 'k' } }, 'config.other'],
      [{ name: 'x', kind: 'email', config: { host: 'smtp.example.com' } }, 'config.from'],
      [{ name: 'x', kind: 'sms', config: { url: 'https://93.184.216.12', apiKeyHeader: 'bad header' } }, 'config.apiKeyHeader']
    ]
    for (const [input, field] of cases) {
      const r = await ctx.gql(admin, CREATE, { i: input })
      t.equal(r.data.createNotificationChannel.notificationChannel, null, field)
      t.match(r.data.createNotificationChannel.userErrors, [{ field }], field)
    }
    const rest = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'x', kind: 'pager' })
    t.equal(rest.statusCode, 400)
    const team = await ctx.gql(admin, CREATE, { i: { name: 'x', kind: 'sms', teamId: await ctx.createTeam(), config: { url: 'https://93.184.216.12' } } })
    t.match(team.data.createNotificationChannel.userErrors, [{ field: 'teamId', code: 'NOT_A_ROBOT' }])
  })

  await t.test('URLs and SMTP hosts pointing at private addresses are refused at save', async (t) => {
    const r = await ctx.gql(admin, CREATE, { i: { name: 'x', kind: 'wecom_robot', config: { url: 'http://127.0.0.1:9/hook' }, secrets: { key: 'k' } } })
    t.match(r.data.createNotificationChannel.userErrors, [{ field: 'config.url', code: 'PRIVATE_ADDRESS' }])
    const mail = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'x', kind: 'email', config: { host: '10.0.0.5', from: 'a@b.cn' } })
    t.equal(mail.statusCode, 422)
    t.match(mail.json().errors, [{ field: 'config.host', code: 'PRIVATE_ADDRESS' }])
    const meta = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'x', kind: 'sms', config: { url: 'http://169.254.169.254/latest' } })
    t.equal(meta.statusCode, 422)
  })

  await t.test('REST: create, read, change secrets and config, one default per kind, delete', async (t) => {
    const a = (await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'SMS A', kind: 'sms', config: { url: 'https://93.184.216.10/send' }, secrets: { apiKey: 'a1' }, isDefault: true })).json()
    t.match(a, { kind: 'sms', isDefault: true, secretFields: ['apiKey'] })
    const b = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'SMS B', kind: 'sms', config: { url: 'https://93.184.216.11/send' }, isDefault: true })
    t.equal(b.statusCode, 201)
    t.equal(b.headers.location, `/api/v1/notification-channels/${b.json().id}`)
    const reread = (await ctx.rest(admin, 'GET', `/api/v1/notification-channels/${a.id}`)).json()
    t.equal(reread.isDefault, false, 'the newer default replaced it')
    const list = (await ctx.rest(admin, 'GET', '/api/v1/notification-channels?kind=sms')).json()
    t.same(list.data.filter((c: { isDefault: boolean }) => c.isDefault).map((c: { id: string }) => c.id), [b.json().id])

    const removed = await ctx.gql(admin, UPDATE, { id: a.id, i: { secrets: { apiKey: null }, config: { url: 'https://93.184.216.10/v2', signName: '推荐' } }, v: reread.version })
    t.match(removed.data.updateNotificationChannel.notificationChannel, { secretFields: [], config: { url: 'https://93.184.216.10/v2', signName: '推荐' } })
    const stale = await ctx.gql(admin, UPDATE, { id: a.id, i: { name: 'late' }, v: 1 })
    t.match(stale.data.updateNotificationChannel.userErrors, [{ field: 'expectedVersion', code: 'STALE_VERSION' }])
    const del = await ctx.rest(admin, 'DELETE', `/api/v1/notification-channels/${a.id}`)
    t.equal(del.statusCode, 204)
    t.equal((await ctx.rest(admin, 'GET', `/api/v1/notification-channels/${a.id}`)).statusCode, 404)
    const gone = await ctx.gql(admin, 'query($id: ID!) { notificationChannel(id: $id) { id } }', { id: a.id })
    t.equal(gone.data.notificationChannel, null)
  })

  await t.test('only admins write; managers, marketing and service read; sales and referrers do not', async (t) => {
    const input = { name: 'x', kind: 'dingtalk_robot', secrets: { accessToken: 't' } }
    for (const role of ['manager', 'marketing', 'service', 'sales']) {
      const { token } = await ctx.staff(role)
      const w = await ctx.rest(token, 'POST', '/api/v1/notification-channels', input)
      t.equal(w.statusCode, 403, `${role} may not write`)
      const r = await ctx.gql(token, '{ notificationChannels { totalCount edges { node { id kind hasSecret } } } }')
      if (role === 'sales') t.match(r.errors, [{ extensions: { code: 'FORBIDDEN' } }], 'sales may not read')
      else t.ok(r.data.notificationChannels.totalCount >= 1, `${role} reads`)
    }
    const ro = await ctx.keyToken('admin', { readOnly: true })
    t.equal((await ctx.rest(ro, 'POST', '/api/v1/notification-channels', input)).statusCode, 403, 'a read-only admin key may not write')
    t.equal((await ctx.rest(null, 'GET', '/api/v1/notification-channels')).statusCode, 401)
  })
})
