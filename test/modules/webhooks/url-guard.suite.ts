import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { isPrivateAddress } from '../../../src/modules/webhooks/webhook-url.js'

const CREATE = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) { webhookEndpoint { id url } secret userErrors { field message code } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $i) { webhookEndpoint { url version } userErrors { field code } } }`

/** What the SSRF rule refuses (docs/webhooks.md), with the code it answers. */
const refused: [url: string, code: string][] = [
  ['http://127.0.0.1/', 'PRIVATE_ADDRESS'],
  ['http://localhost/', 'PRIVATE_ADDRESS'],
  ['http://10.0.0.1/', 'PRIVATE_ADDRESS'],
  ['http://192.168.1.1', 'PRIVATE_ADDRESS'],
  ['http://172.16.5.4:8080/hook', 'PRIVATE_ADDRESS'],
  ['http://169.254.169.254/latest/meta-data/', 'PRIVATE_ADDRESS'],
  ['http://100.64.0.1/', 'PRIVATE_ADDRESS'],
  ['http://[::1]/', 'PRIVATE_ADDRESS'],
  ['http://[fe80::1]/', 'PRIVATE_ADDRESS'],
  ['http://[fd12:3456::1]/', 'PRIVATE_ADDRESS'],
  ['http://[::ffff:127.0.0.1]/', 'PRIVATE_ADDRESS'],
  ['http://0.0.0.0:3000/', 'PRIVATE_ADDRESS'],
  ['http://2130706433/', 'PRIVATE_ADDRESS'],
  ['http://0x7f.1/', 'PRIVATE_ADDRESS'],
  ['ftp://93.184.216.34/hook', 'INVALID_URL'],
  ['https://user:secret@93.184.216.34/hook', 'INVALID_URL'],
  ['not a url', 'INVALID_URL'],
  ['https://webhooks.no-such-host.invalid/hook', 'UNRESOLVABLE']
]
// Refused for their syntax even when private addresses are allowed.
const alwaysRefused = new Set(['INVALID_URL'])

// IPv4 blocks the guard refuses, as [first address, prefix length]; an independent reading of them.
const blockedV4: [string, number][] = [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
]
const toInt = (dotted: string) => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0)
const toDotted = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.')
const inBlock = (n: number, [base, bits]: [string, number]) => Math.floor(n / 2 ** (32 - bits)) === Math.floor(toInt(base) / 2 ** (32 - bits))
const ipv4 = fc.integer({ min: 0, max: 2 ** 32 - 1 })

t.test('isPrivateAddress over generated IPv4 addresses', async (t) => {
  t.test('refuses every address inside a private, loopback, link-local or reserved block', async (t) => {
    const inside = fc.constantFrom(...blockedV4).chain(([base, bits]) =>
      fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => toDotted(toInt(base) + offset)))
    fc.assert(fc.property(inside, (address) => isPrivateAddress(address) && isPrivateAddress(`::ffff:${address}`)), { numRuns: 2000 })
    t.pass()
  })

  t.test('accepts every address outside those blocks, also written as IPv4-mapped IPv6', async (t) => {
    const outside = ipv4.filter((n) => !blockedV4.some((b) => inBlock(n, b))).map(toDotted)
    fc.assert(fc.property(outside, (address) => !isPrivateAddress(address) && !isPrivateAddress(`::ffff:${address}`)), { numRuns: 2000 })
    t.pass()
  })

  t.test('agrees with the block list on any address, including the blocks\' edges', async (t) => {
    const edges = blockedV4.flatMap(([base, bits]) => {
      const first = toInt(base)
      const last = first + 2 ** (32 - bits) - 1
      return [first - 1, first, last, last + 1].filter((n) => n >= 0 && n < 2 ** 32)
    })
    const any = fc.oneof(ipv4, fc.constantFrom(...edges))
    fc.assert(fc.property(any, (n) => isPrivateAddress(toDotted(n)) === blockedV4.some((b) => inBlock(n, b))), { numRuns: 2000 })
    t.pass()
  })

  t.test('IPv6: loopback, unspecified, unique-local, link-local and multicast are refused; global is not', async (t) => {
    for (const a of ['::1', '::', 'fc00::1', 'fdff:ffff::1', 'fe80::1', 'febf::1', 'ff02::1', '::ffff:7f00:1', '64:ff9b::a00:1']) t.ok(isPrivateAddress(a), a)
    for (const a of ['2001:4860:4860::8888', '2606:4700::1111', '::ffff:808:808']) t.notOk(isPrivateAddress(a), a)
    t.ok(isPrivateAddress('not-an-address'), 'anything that is not an address is refused')
  })
})

t.test('endpoint URLs and the SSRF rule', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const { id } = (await ctx.gql(ctx.adminToken, CREATE, { i: { url: 'https://93.184.216.34/hook' } })).data.createWebhookEndpoint.webhookEndpoint

    await t.test('a public address literal is accepted without DNS', async (t) => {
      const r = await ctx.gql(ctx.adminToken, CREATE, { i: { url: 'https://93.184.216.34:8443/hook?tenant=1' } })
      t.same(r.data.createWebhookEndpoint.userErrors, [])
      t.equal(r.data.createWebhookEndpoint.webhookEndpoint.url, 'https://93.184.216.34:8443/hook?tenant=1')
      const v6 = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url: 'https://[2606:4700::1111]/hook' })
      t.equal(v6.statusCode, 201)
    })

    await t.test('refused URLs: a userError on url in GraphQL, 422 over REST, and nothing is written', async (t) => {
      const count = async () => (await ctx.sql<{ n: number }>('select count(*)::int as n from webhook_endpoints'))[0].n
      const before = await count()
      for (const [url, code] of refused) {
        const r = await ctx.gql(ctx.adminToken, CREATE, { i: { url } })
        t.match(r.data.createWebhookEndpoint, { webhookEndpoint: null, secret: null, userErrors: [{ field: 'url', code }] }, `${url}: ${code}`)
        t.notOk(r.errors)
        const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/webhook-endpoints', { url })
        t.equal(rest.statusCode, 422, `${url}: 422`)
        t.match(rest.json(), { code: 'CRM_ERR_UNPROCESSABLE', errors: [{ field: 'url', code }] })
      }
      t.equal(await count(), before)
    })

    await t.test('moving an endpoint to a refused URL is refused too, and changes nothing', async (t) => {
      const r = await ctx.gql(ctx.adminToken, UPDATE, { id, i: { url: 'http://169.254.169.254/', description: 'sneaky' } })
      t.match(r.data.updateWebhookEndpoint, { webhookEndpoint: null, userErrors: [{ field: 'url', code: 'PRIVATE_ADDRESS' }] })
      const rest = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/webhook-endpoints/${id}`, { url: 'http://[::1]:9000/' })
      t.equal(rest.statusCode, 422)
      const [row] = await ctx.sql<{ url: string; description: string | null; version: number }>('select url, description, version from webhook_endpoints where id = $1', [id])
      t.same(row, { url: 'https://93.184.216.34/hook', description: null, version: 1 })
    })
  })
})

t.test('with WEBHOOK_ALLOW_PRIVATE_URLS=true an operator may point endpoints at private networks', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    for (const [url, code] of refused) {
      const r = await ctx.gql(ctx.adminToken, CREATE, { i: { url } })
      if (alwaysRefused.has(code)) t.match(r.data.createWebhookEndpoint.userErrors, [{ field: 'url', code }], `${url} is still ${code}`)
      else t.same(r.data.createWebhookEndpoint.userErrors, [], `${url} is accepted`)
    }
  }, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })
})

t.test('IPv6 forms that embed an IPv4 address are judged as that address', async (t) => {
  for (const a of ['::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:0:127.0.0.1', '::ffff:0:a00:1', '::127.0.0.1', '::a9fe:a9fe', '64:ff9b:1::1', '100::1', '2002:7f00:1::']) {
    t.ok(isPrivateAddress(a), `${a} refused`)
  }
  for (const a of ['::ffff:93.184.216.34', '2606:4700::1111', '2001:4860:4860::8888']) t.notOk(isPrivateAddress(a), `${a} allowed`)
})
