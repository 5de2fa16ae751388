import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const PII_KEY = Buffer.alloc(32, 7).toString('base64')

/** The message of the ConfigError loadConfig throws for this environment. */
function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.message
    throw err
  }
  throw new Error(`accepted ${JSON.stringify(env)}`)
}

t.test('applies the defaults to an empty environment', async (t) => {
  const c = loadConfig({})
  t.equal(c.PORT, 3000)
  t.equal(c.HOST, '0.0.0.0')
  t.equal(c.DATA_DIR, './data')
  t.equal(c.LOG_LEVEL, 'info')
  t.equal(c.DATABASE_URL, undefined)
  t.equal(c.JWT_SECRET, undefined)
  t.equal(c.PII_KEY, undefined)
  t.equal(c.JWT_TTL_SECONDS, 3600)
  t.equal(c.API_KEY_STATUS_TTL_MS, 30000)
  t.equal(c.TRUST_PROXY, false)
  t.equal(c.REPORTING_TIMEZONE, 'Asia/Shanghai')
  t.equal(loadConfig({ REPORTING_TIMEZONE: 'America/New_York' }).REPORTING_TIMEZONE, 'America/New_York')
})

t.test('converts numbers and booleans from their environment strings', async (t) => {
  const c = loadConfig({
    PORT: '8080', DATABASE_URL: 'postgresql://u:p@db:5432/crm', DATABASE_POOL_SIZE: '20', LOG_LEVEL: 'debug',
    JWT_SECRET: 'x'.repeat(32), PII_KEY, TRUST_PROXY: 'true', SHUTDOWN_GRACE_MS: '0', DATA_DIR: '/var/lib/crm'
  })
  t.equal(c.PORT, 8080)
  t.equal(c.DATABASE_URL, 'postgresql://u:p@db:5432/crm')
  t.equal(c.DATABASE_POOL_SIZE, 20)
  t.equal(c.LOG_LEVEL, 'debug')
  t.equal(c.TRUST_PROXY, true)
  t.equal(c.SHUTDOWN_GRACE_MS, 0)
  t.equal(c.DATA_DIR, '/var/lib/crm')
})

t.test('treats an empty variable as unset', async (t) => {
  const c = loadConfig({ PORT: '', DATABASE_URL: '', JWT_SECRET: '' })
  t.equal(c.PORT, 3000)
  t.equal(c.DATABASE_URL, undefined)
  t.equal(c.JWT_SECRET, undefined)
})

t.test('ignores variables it does not know', async (t) => {
  const c = loadConfig({ HOME: '/root', NODE_ENV: 'production' })
  t.notOk('HOME' in c)
})

const wrong: [string, Record<string, string>, string][] = [
  ['a PORT that is not a number', { PORT: 'abc' }, 'PORT'],
  ['a PORT above 65535', { PORT: '70000' }, 'PORT'],
  ['a negative PORT', { PORT: '-1' }, 'PORT'],
  ['a fractional PORT', { PORT: '80.5' }, 'PORT'],
  ['a DATABASE_URL with another scheme', { DATABASE_URL: 'mysql://u@localhost/crm' }, 'DATABASE_URL'],
  ['a DATABASE_URL that is not a URL', { DATABASE_URL: 'localhost:5432' }, 'DATABASE_URL'],
  ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ['a JWT_SECRET shorter than 32 characters', { JWT_SECRET: 'short-secret' }, 'JWT_SECRET'],
  ['a PII_KEY that is not base64 of 32 bytes', { PII_KEY: 'not-a-key' }, 'PII_KEY'],
  ['a PII_KEY of 16 bytes', { PII_KEY: Buffer.alloc(16).toString('base64') }, 'PII_KEY'],
  ['a DATABASE_POOL_SIZE of 0', { DATABASE_POOL_SIZE: '0' }, 'DATABASE_POOL_SIZE'],
  ['a JWT_TTL_SECONDS over a day', { JWT_TTL_SECONDS: '100000' }, 'JWT_TTL_SECONDS'],
  ['a TRUST_PROXY that is not a boolean', { TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
  ['a short BOOTSTRAP_ADMIN_KEY', { BOOTSTRAP_ADMIN_KEY: 'admin' }, 'BOOTSTRAP_ADMIN_KEY'],
  ['an unknown REPORTING_TIMEZONE', { REPORTING_TIMEZONE: 'Mars/Olympus' }, 'REPORTING_TIMEZONE'],
  ['a REPORTING_TIMEZONE that is an offset, not a zone name', { REPORTING_TIMEZONE: '+08:00' }, 'REPORTING_TIMEZONE'],
  ['a REPORTING_TIMEZONE with SQL in it', { REPORTING_TIMEZONE: "Asia/Shanghai'; drop table x; --" }, 'REPORTING_TIMEZONE']
]

for (const [name, env, variable] of wrong) {
  t.test(`refuses ${name}, naming ${variable}`, async (t) => {
    const message = refusal(env)
    t.match(message, new RegExp(`^\\s*${variable}: `, 'm'))
    if (!/SECRET|KEY/.test(variable)) t.match(message, JSON.stringify(Object.values(env)[0]), 'shows the value it got')
  })
}

t.test('names every wrong variable at once', async (t) => {
  const message = refusal({ PORT: 'abc', LOG_LEVEL: 'loud', JWT_SECRET: 'short' })
  for (const v of ['PORT', 'LOG_LEVEL', 'JWT_SECRET']) t.match(message, new RegExp(`^\\s*${v}: `, 'm'))
})

t.test('never echoes a secret or a database password it refuses', async (t) => {
  const message = refusal({ JWT_SECRET: 'short-but-secret', PII_KEY: 'also-secret', BOOTSTRAP_ADMIN_KEY: 'admin-pass', DATABASE_URL: 'mysql://crm:hunter2@db/crm' })
  for (const secret of ['short-but-secret', 'also-secret', 'admin-pass', 'hunter2']) t.notMatch(message, secret)
  t.match(message, /JWT_SECRET: .*16 characters/)
  t.match(message, 'mysql://crm:***@db/crm')
})

t.test('the server refuses to start with PORT=abc, exits non-zero and names PORT', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: 'abc', DATA_DIR: 'memory://', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d) => { output += d })
  child.stderr.on('data', (d) => { output += d })
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  t.not(code, 0)
  t.match(output, /PORT/)
  t.notMatch(output, /Start-up failed/, 'a clear message, not a stack trace')
})
