import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { freePort } from '../support/free-port.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const ADMIN_KEY = 'crm_shutdown_test_admin_key_0123456789'

type Server = { child: ChildProcess; output: () => string; exited: Promise<number | null>; url: string }

/** Starts src/server.ts as production would, on PGlite in dataDir, and waits until it answers. */
async function start(dataDir: string): Promise<Server> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    // No JWT_SECRET/PII_KEY: the server generates them into DATA_DIR and must find them again on restart.
    env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, BOOTSTRAP_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (d) => { output += d })
  child.stderr!.on('data', (d) => { output += d })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`)
    if (Date.now() > deadline) { child.kill('SIGKILL'); throw new Error(`server did not start:\n${output}`) }
    try {
      if ((await fetch(`${url}/healthz`)).ok) break
    } catch { /* not listening yet */ }
    await sleep(200)
  }
  return { child, output: () => output, exited, url }
}

async function call(server: Server, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined
  })
  return { status: res.status, body: await res.json() as Record<string, any> }
}

await t.test('graceful shutdown and restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-shutdown-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))

  t.test('SIGTERM shuts down cleanly and a restart on the same DATA_DIR keeps the data', async (t) => {
    const first = await start(dataDir)
    t.teardown(() => { first.child.kill('SIGKILL') })
    const token = (await call(first, 'POST', '/api/v1/auth/token', undefined, { apiKey: ADMIN_KEY })).body.accessToken
    const created = await call(first, 'POST', '/api/v1/customers', token, { name: '重启测试', phone: '13800001111', email: 'restart@example.com' })
    t.equal(created.status, 201)
    const ready = await call(first, 'GET', '/readyz')
    t.same(ready.body, { status: 'ready', database: 'pglite' })

    first.child.kill('SIGTERM')
    t.equal(await first.exited, 0, 'exits with code 0')
    t.match(first.output(), /"msg":"shutting down"/)
    t.match(first.output(), /"signal":"SIGTERM"/)

    const second = await start(dataDir)
    t.teardown(() => { second.child.kill('SIGKILL') })
    t.notMatch(second.output(), 'Created the first admin API key', 'no second bootstrap key')
    const token2 = (await call(second, 'POST', '/api/v1/auth/token', undefined, { apiKey: ADMIN_KEY })).body.accessToken
    const read = await call(second, 'GET', `/api/v1/customers/${created.body.id}`, token2)
    t.equal(read.status, 200)
    t.match(read.body, { name: '重启测试', phone: '13800001111', email: 'restart@example.com' }, 'personal data still decrypts')
    const oldToken = await call(second, 'GET', `/api/v1/customers/${created.body.id}`, token)
    t.equal(oldToken.status, 200, 'tokens issued before the restart stay valid (the JWT secret was kept)')

    second.child.kill('SIGTERM')
    t.equal(await second.exited, 0)
  })
})
