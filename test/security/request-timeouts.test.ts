import net from 'node:net'
import t from 'tap'
import { forEachDatabase } from '../helper.js'
import { freePort } from '../support/free-port.js'
import { loadConfig } from '../../src/config.js'

/** Short limits keep the test fast; production defaults are tens of seconds (docs/security.md). */
const ENV = { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '1500', IMPORT_REQUEST_TIMEOUT_MS: '4000' }
const TRICKLE_MS = 250

type Outcome = { closedAfterMs: number; answer: string }

/**
 * Opens a raw connection, writes `head` at once, then one `drip` every TRICKLE_MS for as
 * long as the server keeps the connection (or `giveUpMs`); when and how it ended.
 */
function trickle(port: number, head: string, drip: () => string, giveUpMs = 10_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now()
    let answer = ''
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head))
    const timer = setInterval(() => { if (!socket.destroyed && socket.writable) socket.write(drip()) }, TRICKLE_MS)
    const stop = setTimeout(() => socket.destroy(), giveUpMs)
    socket.setEncoding('utf8')
    socket.on('data', (d: string) => { answer += d })
    socket.on('error', () => {})
    socket.on('close', () => {
      clearInterval(timer)
      clearTimeout(stop)
      resolve({ closedAfterMs: Date.now() - started, answer })
    })
  })
}

await forEachDatabase(t, async (t, ctx) => {
  const port = await freePort()
  await ctx.app.listen({ port, host: '127.0.0.1' })

  await t.test('a client trickling one header line at a time is cut off at the headers timeout', async (t) => {
    let n = 0
    const r = await trickle(port, 'POST /api/v1/auth/token HTTP/1.1\r\nHost: crm\r\n', () => `X-Slow-${n++}: ${'a'.repeat(10)}\r\n`)
    t.ok(r.closedAfterMs >= 900, `kept no shorter than the limit (${r.closedAfterMs} ms)`)
    t.ok(r.closedAfterMs < 3000, `closed within the limit and one check interval (${r.closedAfterMs} ms)`)
    t.match(r.answer, /^HTTP\/1\.1 408 /, 'Node answers 408 Request Timeout')
  })

  await t.test('a body trickled a byte at a time to the unauthenticated /auth/token is cut off at the request timeout', async (t) => {
    const head = 'POST /api/v1/auth/token HTTP/1.1\r\nHost: crm\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"apiKey":"'
    const r = await trickle(port, head, () => 'x')
    t.ok(r.closedAfterMs >= 1400, `kept no shorter than the limit (${r.closedAfterMs} ms)`)
    t.ok(r.closedAfterMs < 3500, `closed soon after it (${r.closedAfterMs} ms)`)
    t.match(r.answer, /^HTTP\/1\.1 408 /)
    t.match(r.answer, /connection: close/i)
    t.match(r.answer, /"code":"CRM_ERR_REQUEST_TIMEOUT"/)
  })

  await t.test('a chunked body trickled to GraphQL is cut off the same way', async (t) => {
    const head = `POST /graphql HTTP/1.1\r\nHost: crm\r\nAuthorization: Bearer ${ctx.adminToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n{\r\n`
    const r = await trickle(port, head, () => '1\r\n \r\n')
    t.ok(r.closedAfterMs >= 1400 && r.closedAfterMs < 3500, `closed at the limit (${r.closedAfterMs} ms)`)
    t.match(r.answer, /^HTTP\/1\.1 408 /)
  })

  await t.test('the import route\'s longer limit is only for an authenticated caller', async (t) => {
    const anonymous = 'POST /api/v1/import/customers HTTP/1.1\r\nHost: crm\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nexternalId,name\n'
    const a = await trickle(port, anonymous, () => 'x')
    t.ok(a.closedAfterMs < 3500, `anonymous: closed at the short limit or sooner (${a.closedAfterMs} ms)`)
    t.notOk(a.answer.startsWith('HTTP/1.1 200'), 'nothing imported')

    let row = 0
    const authed = `POST /api/v1/import/customers HTTP/1.1\r\nHost: crm\r\nAuthorization: Bearer ${ctx.adminToken}\r\nContent-Type: text/csv\r\nContent-Length: 100000\r\n\r\nexternalId,name\n`
    const b = await trickle(port, authed, () => `SLOW-${row},Slow ${row++}\n`)
    t.ok(b.closedAfterMs >= 3900 && b.closedAfterMs < 6500, `authenticated: kept past the short limit, cut at the import limit (${b.closedAfterMs} ms)`)
    t.match(b.answer, /^HTTP\/1\.1 408 /)
  })

  await t.test('ordinary requests, kept alive, are not affected', async (t) => {
    const body = JSON.stringify({ apiKey: 'wrong-key-000000000000000000' })
    const socket = net.connect(port, '127.0.0.1')
    socket.setEncoding('utf8')
    let got = ''
    socket.on('data', (d: string) => { got += d })
    const request = `POST /api/v1/auth/token HTTP/1.1\r\nHost: crm\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    socket.write(request)
    await new Promise((r) => setTimeout(r, 600))
    socket.write(request)
    await new Promise((r) => setTimeout(r, 600))
    socket.destroy()
    t.equal(got.match(/HTTP\/1\.1 401 /g)?.length, 2, 'two answers on one connection, 600 ms apart')
    const health = await fetch(`http://127.0.0.1:${port}/healthz`)
    t.equal(health.status, 200)
  })

  await t.test('a request answered before its body was read (here injected, with a stand-in socket) outlives its body timer', async (t) => {
    // 401 in onRequest: the body is never consumed, so the timer runs out; it must not throw (an uncaught error ends the process).
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/customers', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(1000) }) })
    t.equal(res.statusCode, 401)
    await new Promise((r) => setTimeout(r, Number(ENV.HTTP_REQUEST_TIMEOUT_MS) + 500))
    t.equal((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the process is still answering')
  })
}, ENV)

t.test('the limits are configuration with defaults of tens of seconds', async (t) => {
  const c = loadConfig({})
  t.match(c, { HTTP_HEADERS_TIMEOUT_MS: 20000, HTTP_REQUEST_TIMEOUT_MS: 30000, HTTP_CONNECTION_TIMEOUT_MS: 90000, HTTP_KEEP_ALIVE_TIMEOUT_MS: 72000, IMPORT_REQUEST_TIMEOUT_MS: 3600000 })
  t.throws(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '10' }), /HTTP_REQUEST_TIMEOUT_MS/)
})
