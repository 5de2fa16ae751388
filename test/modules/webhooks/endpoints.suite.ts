import { randomBytes } from 'node:crypto'
import t from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'
import { PiiCipher } from '../../../src/lib/pii.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { signingSecrets } from '../../../src/modules/webhooks/webhook-secrets.js'

const FIELDS = 'id url description eventTypes active disabledReason disabledAt failingSince previousSecretExpiresAt version createdAt updatedAt'
const CREATE = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { webhookEndpoint { ${FIELDS} } secret userErrors { field message code } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateWebhookEndpointInput!, $v: Int) {
  updateWebhookEndpoint(id: $id, input: $i, expectedVersion: $v) { webhookEndpoint { ${FIELDS} } userErrors { field message code } } }`
const ROTATE = `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { webhookEndpoint { ${FIELDS} } secret userErrors { field code } } }`
const DELETE = 'mutation($id: ID!, $v: Int) { deleteWebhookEndpoint(id: $id, expectedVersion: $v) { deletedId userErrors { field code } } }'
const GET = `query($id: ID!) { webhookEndpoint(id: $id) { ${FIELDS} } }`
const LIST = 'query($first: Int, $after: String) { webhookEndpoints(first: $first, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }'

// A public address literal: accepted without any DNS lookup.
const PUBLIC = 'https://93.184.216.34/hook'
// A known PII key, so the suite can open the sealed secrets it finds in the database.
const PII_KEY = randomBytes(32).toString('base64')
const cipher = new PiiCipher(Buffer.from(PII_KEY, 'base64'))

type Sealed = { secret_enc: string; previous_secret_enc: string | null; previous_secret_expires_at: Date | null }
const sealedOf = (row: Sealed) => ({ secretEnc: row.secret_enc, previousSecretEnc: row.previous_secret_enc, previousSecretExpiresAt: row.previous_secret_expires_at })

await t.test('webhook endpoints: create, read, update, rotate, delete', async (t) => forEachDatabase(t, async (t, ctx) => {
  const create = async (i: Record<string, unknown>) => {
    const r = await ctx.gql(ctx.adminToken, CREATE, { i })
    t.same(r.data.createWebhookEndpoint.userErrors, [], `created ${String(i.url)}`)
    return r.data.createWebhookEndpoint as { webhookEndpoint: Record<string, any>; secret: string }
  }
  const stored = async (id: string) => (await ctx.sql<Sealed & { deleted_at: Date | null; version: number }>(
    'select secret_enc, previous_secret_enc, previous_secret_expires_at, deleted_at, version from webhook_endpoints where id = $1', [id]))[0]

  await t.test('creates an endpoint through GraphQL; its whsec_ secret is in that answer only', async (t) => {
    const { webhookEndpoint: ep, secret } = await create({ url: PUBLIC, description: 'ERP sync', eventTypes: ['customer.created', 'order.*'] })
    t.match(ep, {
      url: PUBLIC, description: 'ERP sync', eventTypes: ['customer.created', 'order.*'], active: true,
      disabledReason: null, disabledAt: null, failingSince: null, previousSecretExpiresAt: null, version: 1
    })
    t.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/)
    t.ok(Buffer.from(secret.slice('whsec_'.length), 'base64').length >= 24, 'at least 24 random bytes')

    const read = await ctx.gql(ctx.adminToken, GET, { id: ep.id })
    t.same(read.data.webhookEndpoint, ep, 'a later read shows the same endpoint')
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${ep.id}`)
    t.equal(rest.statusCode, 200)
    t.equal(rest.headers.etag, '"1"')
    t.notOk('secret' in rest.json(), 'no secret field')
    for (const body of [JSON.stringify(read), rest.body, (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/webhook-endpoints')).body]) {
      t.notOk(body.includes(secret) || body.includes('whsec_') || /secretEnc|v1\.[A-Za-z0-9+/]{20}/.test(body), 'neither the secret nor its ciphertext is readable')
    }

    const row = await stored(ep.id)
    t.notOk(row.secret_enc.includes(secret.slice(6)), 'stored sealed, not in clear')
    t.equal(cipher.open(row.secret_enc), secret)
  })

  await t.test('creates through REST: 201 with Location, ETag and the secret; every event when eventTypes is omitted', async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: `${PUBLIC}/rest`, active: false })
    t.equal(res.statusCode, 201)
    const body = res.json()
    t.match(body, { url: `${PUBLIC}/rest`, eventTypes: null, description: null, active: false, version: 1 })
    t.match(body.secret, /^whsec_/)
    t.equal(res.headers.location, `/api/v1/webhook-endpoints/${body.id}`)
    t.equal(res.headers.etag, '"1"')
    const again = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${body.id}`)).json()
    const { secret: _s, ...view } = body
    t.same(again, view, 'the later read is the same minus the secret')
  })

  await t.test('refuses malformed input as userErrors / 400 and creates nothing', async (t) => {
    const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from webhook_endpoints'))[0].n
    const unknown = await ctx.gql(ctx.adminToken, CREATE, { i: { url: PUBLIC, eventTypes: ['customer.created', 'customer.exploded'] } })
    t.same(unknown.data.createWebhookEndpoint, {
      webhookEndpoint: null, secret: null,
      userErrors: [{ field: 'eventTypes.1', message: 'customer.exploded is not an event type (docs/webhooks.md lists them)', code: 'UNKNOWN_EVENT_TYPE' }]
    })
    for (const eventTypes of [['nothing.*'], ['*'], ['customer']]) {
      const r = await ctx.gql(ctx.adminToken, CREATE, { i: { url: PUBLIC, eventTypes } })
      t.match(r.data.createWebhookEndpoint.userErrors, [{ code: 'UNKNOWN_EVENT_TYPE' }], `${eventTypes[0]} is refused`)
    }
    const empty = await ctx.gql(ctx.adminToken, CREATE, { i: { url: PUBLIC, eventTypes: [] } })
    t.match(empty.data.createWebhookEndpoint.userErrors, [{ field: 'eventTypes', code: 'INVALID' }], 'an empty list (subscribe to nothing) is refused')
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: PUBLIC, eventTypes: ['lead.vanished'] })
    t.equal(rest.statusCode, 400)
    t.match(rest.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'eventTypes.0', code: 'UNKNOWN_EVENT_TYPE' }] })
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: PUBLIC, secret: 'whsec_mine' })).statusCode, 400, 'no caller-chosen secret')
    t.equal((await ctx.sql<{ n: number }>('select count(*)::int as n from webhook_endpoints'))[0].n, before)
  })

  await t.test('an entity wildcard and repeated types are accepted; repeats are kept once', async (t) => {
    const { webhookEndpoint } = await create({ url: PUBLIC, eventTypes: ['referral.*', 'webhook_endpoint.disabled', 'referral.*'] })
    t.same(webhookEndpoint.eventTypes, ['referral.*', 'webhook_endpoint.disabled'])
  })

  await t.test('lists live endpoints oldest first in keyset pages, GraphQL and REST alike', async (t) => {
    for (let i = 0; i < 3; i++) await create({ url: `${PUBLIC}/page/${i}` })
    const expected = (await ctx.sql<{ id: string }>('select id from webhook_endpoints where deleted_at is null order by created_at, id')).map((r) => r.id)
    const seen: string[] = []
    let after: string | null = null
    for (;;) {
      const r: GqlResult = await ctx.gql(ctx.adminToken, LIST, { first: 2, after })
      const page = r.data.webhookEndpoints
      t.equal(page.totalCount, expected.length)
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id))
      if (!page.pageInfo.hasNextPage) break
      after = page.pageInfo.endCursor
    }
    t.same(seen, expected)
    const restSeen: string[] = []
    let cursor: string | null = null
    do {
      const res = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      t.equal(res.statusCode, 200)
      const body = res.json() as { data: { id: string }[]; nextCursor: string | null }
      restSeen.push(...body.data.map((d) => d.id))
      cursor = body.nextCursor
    } while (cursor)
    t.same(restSeen, expected)
    const bad = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/webhook-endpoints?cursor=nonsense')
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { errors: [{ code: 'INVALID_CURSOR' }] })
  })

  await t.test('updates url, description, eventTypes and active; null eventTypes subscribes to every event', async (t) => {
    const { webhookEndpoint: ep } = await create({ url: PUBLIC, eventTypes: ['lead.created'] })
    const r = await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { url: 'https://93.184.216.35/new', description: 'moved', eventTypes: ['lead.*', 'task.created'] } })
    t.same(r.data.updateWebhookEndpoint.userErrors, [])
    t.match(r.data.updateWebhookEndpoint.webhookEndpoint, { url: 'https://93.184.216.35/new', description: 'moved', eventTypes: ['lead.*', 'task.created'], active: true, version: 2 })
    const all = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { eventTypes: null, description: null, active: false })
    t.equal(all.statusCode, 200)
    t.match(all.json(), { eventTypes: null, description: null, active: false, disabledReason: null, version: 3 })
    t.equal(all.headers.etag, '"3"')
    const bad = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { url: null })
    t.equal(bad.statusCode, 400, 'the url cannot be cleared')
    const unknown = await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { eventTypes: ['order.lost'] } })
    t.match(unknown.data.updateWebhookEndpoint, { webhookEndpoint: null, userErrors: [{ code: 'UNKNOWN_EVENT_TYPE' }] })
    t.equal((await stored(ep.id)).version, 3, 'a refused update changes nothing')
  })

  await t.test('refuses a stale version: 412 with If-Match, STALE_VERSION in GraphQL, and changes nothing', async (t) => {
    const { webhookEndpoint: ep } = await create({ url: PUBLIC })
    const stale = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { description: 'late' }, { 'if-match': '"7"' })
    t.equal(stale.statusCode, 412)
    t.match(stale.json(), { code: 'CRM_ERR_STALE_VERSION', errors: [{ field: 'expectedVersion', code: 'STALE_VERSION' }] })
    const staleBody = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { description: 'late', expectedVersion: 2 })
    t.equal(staleBody.statusCode, 412, 'expectedVersion in the body works too')
    const gql = await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { description: 'late' }, v: 5 })
    t.match(gql.data.updateWebhookEndpoint, { webhookEndpoint: null, userErrors: [{ field: 'expectedVersion', code: 'STALE_VERSION' }] })
    const ok = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { description: 'on time' }, { 'if-match': '"1"' })
    t.equal(ok.statusCode, 200)
    t.match(ok.json(), { description: 'on time', version: 2 })
    const deleteStale = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/webhook-endpoints/${ep.id}`, undefined, { 'if-match': '1' })
    t.equal(deleteStale.statusCode, 412)
    const gqlDelete = await ctx.gql(ctx.adminToken, DELETE, { id: ep.id, v: 1 })
    t.match(gqlDelete.data.deleteWebhookEndpoint, { deletedId: null, userErrors: [{ code: 'STALE_VERSION' }] })
    t.equal((await stored(ep.id)).deleted_at, null)
  })

  await t.test('turning a disabled endpoint back on clears disabledReason, disabledAt and failingSince', async (t) => {
    const { webhookEndpoint: ep } = await create({ url: PUBLIC })
    // As the delivery engine leaves it after five days of failures.
    await ctx.sql(`update webhook_endpoints set active = false, disabled_reason = 'failing', disabled_at = now(),
      failing_since = now() - interval '5 days', version = version + 1 where id = $1`, [ep.id])
    const off = (await ctx.gql(ctx.adminToken, GET, { id: ep.id })).data.webhookEndpoint
    t.match(off, { active: false, disabledReason: 'failing', version: 2 })
    t.ok(off.disabledAt && off.failingSince)
    const desc = await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { description: 'still off' } })
    t.match(desc.data.updateWebhookEndpoint.webhookEndpoint, { active: false, disabledReason: 'failing' }, 'other changes keep the reason')
    const on = await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { active: true }, v: 3 })
    t.match(on.data.updateWebhookEndpoint.webhookEndpoint, { active: true, disabledReason: null, disabledAt: null, failingSince: null, version: 4 })
  })

  await t.test('rotates the secret: a new one shown once; the previous one signs beside it for 24 hours', async (t) => {
    const { webhookEndpoint: ep, secret: first } = await create({ url: PUBLIC })
    const before = Date.now()
    const r = await ctx.gql(ctx.adminToken, ROTATE, { id: ep.id })
    const after = Date.now()
    const { webhookEndpoint: rotated, secret: second, userErrors } = r.data.rotateWebhookEndpointSecret
    t.same(userErrors, [])
    t.match(second, /^whsec_/)
    t.not(second, first)
    t.equal(rotated.version, 2)
    const expires = Date.parse(rotated.previousSecretExpiresAt)
    const day = 24 * 3_600_000
    t.ok(expires >= before + day - 1000 && expires <= after + day + 1000, 'previousSecretExpiresAt is now + WEBHOOK_SECRET_OVERLAP_HOURS')

    const row = sealedOf(await stored(ep.id))
    const open = (s: string) => cipher.open(s)
    t.same(signingSecrets(row, new Date(), open), [second, first], 'both sign during the overlap')
    t.same(signingSecrets(row, new Date(expires), open), [second], 'only the new one once it ends')
    t.notOk(JSON.stringify((await ctx.gql(ctx.adminToken, GET, { id: ep.id })).data).includes('whsec_'))

    const rest = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/webhook-endpoints/${ep.id}/rotate-secret`)
    t.equal(rest.statusCode, 200)
    const third = rest.json().secret as string
    t.match(third, /^whsec_/)
    t.equal(rest.json().version, 3)
    t.same(signingSecrets(sealedOf(await stored(ep.id)), new Date(), open), [third, second], 'a second rotation retires the first secret at once')
  })

  await t.test('rotation honours WEBHOOK_SECRET_OVERLAP_HOURS', async (t) => {
    const { webhookEndpoint: ep } = await create({ url: PUBLIC })
    const now = new Date('2030-01-01T00:00:00Z')
    const { webhookEndpoint } = await ctx.app.services.webhookEndpoints.rotateSecret(systemActor, ep.id, now)
    t.equal(webhookEndpoint.previousSecretExpiresAt?.toISOString(), new Date(now.getTime() + ctx.app.config.WEBHOOK_SECRET_OVERLAP_HOURS * 3_600_000).toISOString())
  })

  await t.test('deletes softly: gone from reads and lists, kept in the database', async (t) => {
    const { webhookEndpoint: a } = await create({ url: `${PUBLIC}/a` })
    const { webhookEndpoint: b } = await create({ url: `${PUBLIC}/b` })
    const gql = await ctx.gql(ctx.adminToken, DELETE, { id: a.id, v: 1 })
    t.same(gql.data.deleteWebhookEndpoint, { deletedId: a.id, userErrors: [] })
    const rest = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/webhook-endpoints/${b.id}`, undefined, { 'if-match': '"1"' })
    t.equal(rest.statusCode, 204)
    for (const id of [a.id, b.id]) {
      t.ok((await stored(id)).deleted_at, 'the row stays, marked deleted')
      t.equal((await ctx.gql(ctx.adminToken, GET, { id })).data.webhookEndpoint, null)
      t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${id}`)).statusCode, 404)
      t.equal((await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${id}`, { active: true })).statusCode, 404)
      t.equal((await ctx.rest(ctx.adminToken, 'POST', `/api/v1/webhook-endpoints/${id}/rotate-secret`)).statusCode, 404)
      t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/webhook-endpoints/${id}`)).statusCode, 404, 'deleting twice is 404')
    }
    const again = await ctx.gql(ctx.adminToken, DELETE, { id: a.id })
    t.equal(again.errors?.[0].extensions?.code, 'NOT_FOUND')
    const listed = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/webhook-endpoints?limit=200')).json().data.map((d: { id: string }) => d.id)
    t.notOk(listed.includes(a.id) || listed.includes(b.id), 'not listed')
  })

  await t.test('unknown and malformed ids are not found', async (t) => {
    const missing = '0190a0b0-0000-7000-8000-000000000001'
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: 'nope' })).data.webhookEndpoint, null)
    t.equal((await ctx.gql(ctx.adminToken, GET, { id: missing })).data.webhookEndpoint, null)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${missing}`)).statusCode, 404)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', '/api/v1/webhook-endpoints/nope')).statusCode, 400)
    const rotate = await ctx.gql(ctx.adminToken, ROTATE, { id: missing })
    t.equal(rotate.errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test('audit entries record create, update, rotation and delete, never a secret', async (t) => {
    const { webhookEndpoint: ep, secret } = await create({ url: PUBLIC, eventTypes: ['order.recorded'] })
    await ctx.gql(ctx.adminToken, UPDATE, { id: ep.id, i: { description: 'audited' } })
    const rotated = (await ctx.gql(ctx.adminToken, ROTATE, { id: ep.id })).data.rotateWebhookEndpointSecret.secret as string
    await ctx.gql(ctx.adminToken, DELETE, { id: ep.id })
    const entries = await ctx.sql<{ action: string; changes: Record<string, unknown> | null; actor_role: string }>(
      "select action, changes, actor_role from audit_entries where entity_type = 'webhook_endpoint' and entity_id = $1 order by at, id", [ep.id])
    t.same(entries.map((e) => e.action), ['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.deleted'])
    t.match(entries[0].changes, { url: PUBLIC, eventTypes: ['order.recorded'], active: true })
    t.same(entries[1].changes, { description: { from: null, to: 'audited' } })
    t.ok(entries.every((e) => e.actor_role === 'admin'))
    const text = JSON.stringify(entries)
    t.notOk(text.includes(secret) || text.includes(rotated) || text.includes('whsec_') || /"v1\./.test(text), 'no secret and no ciphertext')
  })

  await t.test('only admins manage endpoints: FORBIDDEN / 403 for every other role, and read-only keys only read', async (t) => {
    const { webhookEndpoint: ep } = await create({ url: PUBLIC })
    const team = await ctx.createTeam()
    const referrer = await ctx.gql(ctx.adminToken, 'mutation { createReferrer(input: { kind: other, name: "Hook Referrer" }) { referrer { id } } }')
    const referrerToken = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: referrer.data.createReferrer.referrer.id })).json().accessToken as string
    const tokens: Record<string, string> = {
      manager: (await ctx.staff('manager', { teamId: team })).token,
      sales: (await ctx.staff('sales', { teamId: team })).token,
      marketing: (await ctx.staff('marketing', { teamId: team })).token,
      service: await ctx.keyToken('service'),
      integration: await ctx.keyToken('integration'),
      referrer: referrerToken
    }
    for (const [role, token] of Object.entries(tokens)) {
      const list = await ctx.gql(token, LIST, { first: 5 })
      t.equal(list.errors?.[0].extensions?.code, 'FORBIDDEN', `${role}: webhookEndpoints`)
      const created = await ctx.gql(token, CREATE, { i: { url: PUBLIC } })
      t.equal(created.errors?.[0].extensions?.code, 'FORBIDDEN', `${role}: createWebhookEndpoint`)
      const rotated = await ctx.gql(token, ROTATE, { id: ep.id })
      t.equal(rotated.errors?.[0].extensions?.code, 'FORBIDDEN', `${role}: rotateWebhookEndpointSecret`)
      t.equal((await ctx.rest(token, 'GET', '/api/v1/webhook-endpoints')).statusCode, 403, `${role}: GET list`)
      t.equal((await ctx.rest(token, 'GET', `/api/v1/webhook-endpoints/${ep.id}`)).statusCode, 403, `${role}: GET one`)
      const post = await ctx.rest(token, 'POST', '/api/v1/webhook-endpoints', { url: PUBLIC })
      t.equal(post.statusCode, 403, `${role}: POST`)
      t.equal(post.json().code, 'CRM_ERR_FORBIDDEN')
      t.equal((await ctx.rest(token, 'PATCH', `/api/v1/webhook-endpoints/${ep.id}`, { active: false })).statusCode, 403, `${role}: PATCH`)
      t.equal((await ctx.rest(token, 'DELETE', `/api/v1/webhook-endpoints/${ep.id}`)).statusCode, 403, `${role}: DELETE`)
    }
    const readOnly = await ctx.keyToken('admin', { readOnly: true })
    t.equal((await ctx.rest(readOnly, 'GET', `/api/v1/webhook-endpoints/${ep.id}`)).statusCode, 200, 'a read-only admin key reads')
    t.equal((await ctx.rest(readOnly, 'POST', '/api/v1/webhook-endpoints', { url: PUBLIC })).statusCode, 403)
    t.equal((await ctx.rest(readOnly, 'POST', `/api/v1/webhook-endpoints/${ep.id}/rotate-secret`)).statusCode, 403)
    t.equal((await ctx.gql(readOnly, DELETE, { id: ep.id })).errors?.[0].extensions?.code, 'FORBIDDEN')
    const limited = await ctx.keyToken('admin', { entities: ['customers'] })
    t.equal((await ctx.rest(limited, 'GET', '/api/v1/webhook-endpoints')).statusCode, 403, 'a key limited to other entities')
    const webhooksOnly = await ctx.keyToken('admin', { entities: ['webhooks'] })
    t.equal((await ctx.rest(webhooksOnly, 'GET', '/api/v1/webhook-endpoints')).statusCode, 200, 'a key limited to webhooks')
    const row = await stored(ep.id)
    t.equal(row.version, 1, 'nothing changed')
    t.equal(row.previous_secret_enc, null)
  })
}, { PII_KEY }))
