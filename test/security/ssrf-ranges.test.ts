import http from 'node:http'
import type { LookupAddress } from 'node:dns'
import t from 'tap'
import ipaddr from 'ipaddr.js'
import { forEachDatabase } from '../helper.js'
import { guardedLookup, isRefusedAddress, refusedRange } from '../../src/lib/address-guard.js'
import { embeddings, refusedIpv4, refusedIpv6 } from '../../src/lib/special-purpose-ranges.js'
import { sendWebhook } from '../../src/modules/webhooks/webhook-send.js'
import { WebhookReceiver } from '../support/webhook-receiver.js'

/**
 * The IANA Special-Purpose Address Registries' blocks that are not globally reachable (plus
 * multicast and deprecated site-local), read independently of src/lib/special-purpose-ranges.ts.
 */
const REGISTRY_V4 = [
  '0.0.0.0/8', '0.0.0.0/32', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.0.0/29', '192.0.0.8/32', '192.0.0.170/32', '192.0.0.171/32', '192.0.2.0/24',
  '192.88.99.0/24', '192.88.99.2/32', '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
  '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32'
]
const REGISTRY_V6 = [
  '::/128', '::1/128', '64:ff9b:1::/48', '100::/64', '100:0:0:1::/64', '2001::/23', '2001::/32', '2001:2::/48',
  '2001:10::/28', '2001:db8::/32', '3fff::/20', '5f00::/16', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'
]
// The ones the security review found accepted.
const FOUND = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '192.88.99.0/24', '2001:db8::/32', '2001::/32', '3fff::/20']

type Net = { cidr: string; v6: boolean; first: bigint; last: bigint }
const net = (cidr: string): Net => {
  const [ip, bits] = ipaddr.parseCIDR(cidr)
  const width = ip.kind() === 'ipv6' ? 128 : 32
  const first = ip.toByteArray().reduce((n, b) => (n << 8n) | BigInt(b), 0n) & ~((1n << BigInt(width - bits)) - 1n)
  return { cidr, v6: width === 128, first, last: first | ((1n << BigInt(width - bits)) - 1n) }
}
const text = (n: bigint, v6: boolean): string => {
  const size = v6 ? 16 : 4
  const bytes = Array.from({ length: size }, (_, i) => Number((n >> BigInt(8 * (size - 1 - i))) & 255n))
  return ipaddr.fromByteArray(bytes).toString()
}
const nets4 = REGISTRY_V4.map(net)
const nets6 = REGISTRY_V6.map(net)
const in4 = (n: bigint) => nets4.some((r) => n >= r.first && n <= r.last)
/** The reference reading: an IPv6 address is refused when listed, or when it wraps a refused IPv4 address. */
function expectRefused(n: bigint, v6: boolean): boolean {
  if (!v6) return in4(n)
  if (nets6.some((r) => n >= r.first && n <= r.last)) return true
  const low32 = n & 0xffffffffn
  const top = (bits: number) => n >> BigInt(128 - bits)
  if (top(96) === 0xffffn || top(96) === 0xffff0000n || top(96) === 0n || top(96) === 0x64ff9b0000000000000000n) return in4(low32)
  if (top(16) === 0x2002n) return in4((n >> 80n) & 0xffffffffn)
  return false
}

t.test('the data lists exactly the registries\' blocks that are not globally reachable, including every one the review found', async (t) => {
  t.same(refusedIpv4.map((r) => r.cidr).sort(), [...REGISTRY_V4].sort())
  t.same(refusedIpv6.map((r) => r.cidr).sort(), [...REGISTRY_V6].sort())
  for (const cidr of FOUND) t.ok([...refusedIpv4, ...refusedIpv6].some((r) => r.cidr === cidr), `${cidr} is listed`)
  for (const r of [...refusedIpv4, ...refusedIpv6, ...embeddings]) t.match(r, { name: /\S/, rfc: /^RFC \d+$/ }, `${r.cidr} names its registry entry and RFC`)
})

for (const r of [...nets4, ...nets6]) {
  t.test(`${r.cidr}: inside and both edges refused, just outside judged by the registry`, async (t) => {
    const max = r.v6 ? (1n << 128n) - 1n : (1n << 32n) - 1n
    for (const n of [r.first, r.last, (r.first + r.last) / 2n]) {
      const a = text(n, r.v6)
      t.ok(isRefusedAddress(a), `${a} refused`)
      t.ok(refusedRange(a), `${a} names its block`)
    }
    const outside = [r.first - 1n, r.last + 1n].filter((n) => n >= 0n && n <= max)
    for (const n of outside) t.equal(isRefusedAddress(text(n, r.v6)), expectRefused(n, r.v6), `${text(n, r.v6)} just outside`)
    // The nearest address outside the run of listed blocks around this one (192.0.0.8/32 sits
    // in 192.0.0.0/24, fec0::/10 between fe80::/10 and ff00::/8) is accepted.
    const same = (r.v6 ? nets6 : nets4)
    let lo = r.first
    let hi = r.last
    for (let moved = true; moved;) {
      moved = false
      for (const o of same) {
        if (o.first < lo && o.last >= lo - 1n) { lo = o.first; moved = true }
        if (o.last > hi && o.first <= hi + 1n) { hi = o.last; moved = true }
      }
    }
    const beyond = [lo - 1n, hi + 1n].filter((n) => n >= 0n && n <= max)
    // :: and ::1 border ::/96, where IPv4-compatible addresses wrap the refused 0.0.0.0/8.
    if (r.cidr !== '::/128' && r.cidr !== '::1/128') {
      t.ok(beyond.length > 0 && beyond.every((n) => !isRefusedAddress(text(n, r.v6))), `just outside the run ${text(lo, r.v6)}–${text(hi, r.v6)}: ${beyond.map((n) => text(n, r.v6)).join(', ')} accepted`)
    }
    if (!r.v6) {
      // IPv4 wrapped in IPv6 (mapped, NAT64, 6to4) is judged as the IPv4 address.
      for (const n of [r.first, r.last]) {
        const hex = (n >> 16n).toString(16) + ':' + (n & 0xffffn).toString(16)
        for (const wrapped of [`::ffff:${text(n, false)}`, `64:ff9b::${hex}`, `2002:${hex}::1`]) t.ok(isRefusedAddress(wrapped), `${wrapped} refused`)
      }
      for (const n of outside.filter((n) => !in4(n))) {
        const hex = (n >> 16n).toString(16) + ':' + (n & 0xffffn).toString(16)
        for (const wrapped of [`::ffff:${text(n, false)}`, `64:ff9b::${hex}`, `2002:${hex}::1`]) t.notOk(isRefusedAddress(wrapped), `${wrapped} accepted`)
      }
    }
  })
}

t.test('globally reachable special-purpose blocks and ordinary public addresses are accepted', async (t) => {
  for (const a of ['192.31.196.1', '192.52.193.1', '192.175.48.1', '2620:4f:8000::1', '8.8.8.8', '93.184.216.34', '1.1.1.1',
    '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8', '2001:200::1', '2400:cb00::1', '2606:4700::1111', '4000::1', '3fff:1000::1']) {
    t.notOk(isRefusedAddress(a), `${a} accepted`)
  }
  t.ok(isRefusedAddress('not-an-ip'))
  t.match(refusedRange('192.0.2.7'), { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737' })
  t.match(refusedRange('192.0.0.8'), { cidr: '192.0.0.8/32' }, 'the most specific entry names the refusal')
  t.match(refusedRange('2001:0:4136:e378:8000:63bf:3fff:fdd2'), { cidr: '2001::/32', name: 'TEREDO' })
})

/** A resolver answering every name with these addresses. */
const resolveTo = (addresses: LookupAddress[]) => ((_host: string, _opts: unknown, cb: (e: null, a: LookupAddress[]) => void) => cb(null, addresses)) as never

t.test('at connect time, a name resolving into a refused block is refused before any connection', async (t) => {
  const receiver = new WebhookReceiver()
  const url = new URL(await receiver.start())
  t.teardown(() => receiver.stop())
  const request = (lookup: ReturnType<typeof guardedLookup>) => new Promise<string>((resolve) => {
    const req = http.request({ host: 'hooks.example.com', port: url.port, path: '/hook', method: 'POST', lookup, agent: false }, (res) => { res.resume(); resolve(`HTTP ${res.statusCode}`) })
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`${err.code}: ${err.message}`))
    req.end('{}')
  })
  for (const address of ['192.0.2.10', '198.51.100.7', '203.0.113.9', '192.88.99.1', '2001:db8::1', '2001:0:4136:e378::1', '3fff::1', '::ffff:192.0.2.10']) {
    const family = address.includes(':') ? 6 : 4
    const mixed = [{ address: '93.184.216.34', family: 4 }, { address, family }]
    t.match(await request(guardedLookup(false, resolveTo(mixed))), /^PRIVATE_ADDRESS: refused: host hooks\.example\.com resolves to .* not globally reachable/, `${address} among the answers: refused`)
  }
  t.equal(receiver.received.length, 0)
  t.equal(await request(guardedLookup(false, resolveTo([{ address: '127.0.0.1', family: 4 }]))).then((s) => s.startsWith('PRIVATE_ADDRESS')), true)
  t.equal(await request(guardedLookup(true, resolveTo([{ address: '127.0.0.1', family: 4 }]))), 'HTTP 200', 'allowed private addresses: the lookup\'s answer is connected to')
  t.equal(receiver.received.length, 1)
})

const CREATE_ENDPOINT = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { webhookEndpoint { id url } userErrors { field message code } } }`
const CREATE_CHANNEL = `mutation($i: CreateNotificationChannelInput!) {
  createNotificationChannel(input: $i) { notificationChannel { id } userErrors { field message code } } }`
const literal = (address: string) => (address.includes(':') ? `[${address}]` : address)

await t.test('at save time, webhooks and notification channels refuse every block the review found (both APIs)', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const admin = ctx.adminToken
    for (const address of ['192.0.2.1', '192.0.2.255', '198.51.100.20', '203.0.113.200', '192.88.99.2', '2001:db8::5', '2001::1', '3fff:fff:ffff::1', '::ffff:203.0.113.1', '64:ff9b::c000:201', '2002:c000:201::1']) {
      const url = `https://${literal(address)}/hook`
      const gql = await ctx.gql(admin, CREATE_ENDPOINT, { i: { url } })
      t.match(gql.data.createWebhookEndpoint, { webhookEndpoint: null, userErrors: [{ field: 'url', code: 'PRIVATE_ADDRESS', message: /not globally reachable/ }] }, `${url}: GraphQL variables`)
      const inline = await ctx.gql(admin, `mutation { createWebhookEndpoint(input: { url: ${JSON.stringify(url)} }) { webhookEndpoint { id } userErrors { code } } }`)
      t.match(inline.data.createWebhookEndpoint.userErrors, [{ code: 'PRIVATE_ADDRESS' }], `${url}: GraphQL inline`)
      const rest = await ctx.rest(admin, 'POST', '/api/v1/webhook-endpoints', { url })
      t.equal(rest.statusCode, 422, `${url}: REST`)
      t.match(rest.json(), { code: 'CRM_ERR_UNPROCESSABLE', errors: [{ field: 'url', code: 'PRIVATE_ADDRESS' }] })
      const robot = await ctx.gql(admin, CREATE_CHANNEL, { i: { name: 'r', kind: 'wecom_robot', config: { url }, secrets: { key: 'k' } } })
      t.match(robot.data.createNotificationChannel.userErrors, [{ field: 'config.url', code: 'PRIVATE_ADDRESS' }], `${url}: robot channel`)
      const sms = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 's', kind: 'sms', config: { url } })
      t.equal(sms.statusCode, 422, `${url}: SMS channel`)
      const mail = await ctx.rest(admin, 'POST', '/api/v1/notification-channels', { name: 'm', kind: 'email', config: { host: address, from: 'crm@example.com' } })
      t.match(mail.json(), { errors: [{ field: 'config.host', code: 'PRIVATE_ADDRESS' }] }, `${address}: SMTP host`)
    }
    const zh = await ctx.rest(admin, 'POST', '/api/v1/webhook-endpoints', { url: 'https://192.0.2.1/hook' }, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors, [{ message: /^主机 192\.0\.2\.1 解析到 192\.0\.2\.1（192\.0\.2\.0\/24 Documentation \(TEST-NET-1\)），该地址不可全局访问$/ }])
    for (const address of ['192.0.3.1', '198.51.101.1', '203.0.114.1', '192.88.100.1', '2001:db9::1', '3fff:1000::1']) {
      const rest = await ctx.rest(admin, 'POST', '/api/v1/webhook-endpoints', { url: `https://${literal(address)}/hook` })
      t.equal(rest.statusCode, 201, `${address}, just outside, is accepted`)
    }
  })
})

await t.test('at connect time, an endpoint saved before the guard knew its block is refused, and nothing of it is logged', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: 'https://93.184.216.34/hook' })
    const id = created.json().id as string
    // As if saved by a version that accepted TEST-NET-1 (the host's own address in it).
    await ctx.sql('update webhook_endpoints set url = $2 where id = $1', [id, 'http://192.0.2.10:9/hook'])
    const svc = ctx.app.services.webhookDeliveries
    await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Guarded' })
    const now = new Date()
    await svc.dispatch(now)
    await svc.deliverDue(now)
    const list = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries`)).json()
    t.ok(list.data.length >= 1)
    const one = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-deliveries/${list.data[0].id}`)).json()
    t.match(one.attemptLog, [{ statusCode: null, responseExcerpt: null, error: /refused: host 192\.0\.2\.10 resolves to 192\.0\.2\.10 \(192\.0\.2\.0\/24 Documentation/ }])
    t.ok(one.attemptLog[0].latencyMs < 1000, 'refused before any connection attempt')
  })
})

t.test('the sender refuses an IP literal in each block the review found without connecting', async (t) => {
  for (const host of ['192.0.2.10', '198.51.100.1', '203.0.113.1', '192.88.99.1', '[2001:db8::1]', '[2001::1]', '[3fff::1]']) {
    const r = await sendWebhook(`http://${host}:9/hook`, {}, '{}', { timeoutMs: 500, allowPrivate: false })
    t.match(r, { statusCode: null, excerpt: null, error: /^refused: .*not globally reachable/ }, host)
  }
})

/** What a local receiver answers, and what the delivery log may keep of it. */
const ANSWERS: [label: string, status: number, type: string | null, body: string, kept: string | null][] = [
  ['a long text/plain answer: its first 256 characters', 200, 'text/plain; charset=utf-8', `ok ${'t'.repeat(600)}`, `ok ${'t'.repeat(253)}`],
  ['a JSON error: its start', 500, 'application/json', JSON.stringify({ error: 'boom', detail: 'x'.repeat(400) }), JSON.stringify({ error: 'boom', detail: 'x'.repeat(400) }).slice(0, 256)],
  ['problem+json counts as JSON', 422, 'application/problem+json', '{"title":"bad"}', '{"title":"bad"}'],
  ['an HTML error page: nothing', 502, 'text/html; charset=utf-8', '<html><body>internal admin console</body></html>', null],
  ['an HTML success page: nothing', 200, 'text/html', '<html>secret dashboard</html>', null],
  ['XML: nothing', 200, 'application/xml', '<secret>1</secret>', null],
  ['binary: nothing', 200, 'application/octet-stream', 'BINARYSECRET', null],
  ['no content type: nothing', 200, null, 'untyped secret', null],
  ['a text cut inside an emoji loses the lone half', 200, 'text/plain', `${'a'.repeat(255)}😀tail`, 'a'.repeat(255)]
]

t.test('the sender keeps a short excerpt of text and JSON answers only', async (t) => {
  const receiver = new WebhookReceiver()
  const url = await receiver.start()
  t.teardown(() => receiver.stop())
  for (const [label, status, type, body, kept] of ANSWERS) {
    receiver.answer = () => ({ status, headers: (type ? { 'content-type': type } : {}) as Record<string, string>, body })
    const r = await sendWebhook(url, {}, '{}', { timeoutMs: 2000, allowPrivate: true })
    t.equal(r.statusCode, status, label)
    t.equal(r.excerpt, kept, label)
  }
})

await t.test('the delivery log shows only those excerpts (both APIs)', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const receiver = new WebhookReceiver()
    const url = await receiver.start()
    t.teardown(() => receiver.stop())
    const svc = ctx.app.services.webhookDeliveries
    await svc.dispatch(new Date())
    const id = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url, eventTypes: ['customer.created'] })).json().id as string
    t.teardown(() => ctx.sql('update webhook_endpoints set deleted_at = now() where id = $1', [id]))
    for (const [label, status, type, body, kept] of ANSWERS) {
      receiver.answer = () => ({ status, headers: (type ? { 'content-type': type } : {}) as Record<string, string>, body })
      await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Excerpt' })
      const now = new Date()
      await svc.dispatch(now)
      await svc.deliverDue(now)
      const [last] = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-endpoints/${id}/deliveries?limit=1`)).json().data
      const one = (await ctx.rest(ctx.adminToken, 'GET', `/api/v1/webhook-deliveries/${last.id}`)).json()
      t.equal(one.attemptLog[0].responseExcerpt, kept, `REST: ${label}`)
      const [row] = await ctx.sql<{ response_excerpt: string | null }>('select response_excerpt from webhook_attempts where delivery_id = $1', [last.id])
      t.equal(row.response_excerpt, kept, `stored: ${label}`)
      const gql = await ctx.gql(ctx.adminToken, 'query($id: ID!) { webhookEndpoint(id: $id) { deliveries(first: 1) { edges { node { attemptLog { responseExcerpt } } } } } }', { id })
      t.equal(gql.data.webhookEndpoint.deliveries.edges[0].node.attemptLog[0].responseExcerpt, kept, `GraphQL: ${label}`)
    }
    const all = await ctx.sql<{ response_excerpt: string | null }>("select a.response_excerpt from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = $1 and a.response_excerpt like '%secret%'", [id])
    t.same(all, [], 'no HTML, XML, binary or untyped answer reached the database')
  }, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
})
