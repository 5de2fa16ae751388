import t from 'tap'
import fc from 'fast-check'
import { redactLogLine, redactUrl } from '../../src/lib/log-safety.js'
import { databaseKinds } from '../helper.js'
import { buildLoggedApp } from '../support/logged-app.js'

// ---- Generators: personal values in the shapes people write them --------------------------

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''))
const sep = fc.constantFrom('', ' ', '-', '.')

/** A mainland mobile, grouped 3-4-4 with one separator, with or without +86 / 0086 / 86. */
const arbMobile = fc.tuple(fc.integer({ min: 3, max: 9 }), digits(9), sep, fc.constantFrom('', '+86', '+86 ', '0086', '86-', '(+86)'))
  .map(([second, rest, s, prefix]) => `${prefix}1${second}${rest.slice(0, 1)}${s}${rest.slice(1, 5)}${s}${rest.slice(5)}`)

/** An international number as E.164 with a leading + (country codes other than 86). */
const arbInternational = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(9)).map(([cc, rest]) => `+${cc}${rest}`)

/** A mainland resident ID number: 6-digit region, birth date, sequence, ISO 7064 MOD 11-2 check. */
const arbIdNumber = fc.tuple(fc.integer({ min: 110000, max: 659999 }), fc.date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }), digits(3))
  .map(([region, birth, seq]) => {
    const body = `${region}${birth.toISOString().slice(0, 10).replace(/-/g, '')}${seq}`
    const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    const sum = [...body].reduce((acc, d, i) => acc + Number(d) * weights[i], 0)
    return body + '10X98765432'[sum % 11]
  })

const arbEmail = fc.emailAddress()
const arbPersonal = fc.oneof(arbMobile, arbInternational, arbIdNumber, arbEmail)

/** Path segments and query values that are no personal data: words, our UUIDs, short numbers. */
const arbSafeSegment = fc.oneof(
  fc.constantFrom('api', 'v1', 'customers', 'orders', 'by-external-id', 'ERP-A7', 'referrals', 'graphql', 'EXT-B2'),
  fc.uuid(),
  fc.integer({ min: 0, max: 99999 }).map(String),
  fc.stringMatching(/^[a-z][a-z_-]{0,11}$/)
)
const arbSafeQuery = fc.array(fc.tuple(fc.constantFrom('limit', 'status', 'orderBy', 'first', 'cursor', 'ownerId'), arbSafeSegment), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&'))

/** Every form in which the value could show up in a log: as sent, URL-encoded, and as bare digits. */
function forms(value: string): string[] {
  const bare = value.replace(/[^\dXx]/g, '')
  return [value, encodeURIComponent(value), ...(value.includes('@') ? [] : [bare.replace(/^(0086|86)(?=1[3-9]\d{9}$)/, '')])]
}

t.test('redactUrl: personal values anywhere in a URL never survive', async (t) => {
  fc.assert(fc.property(fc.array(arbSafeSegment, { maxLength: 4 }), arbPersonal, fc.nat(4), fc.constantFrom('path', 'query', 'key'), arbSafeQuery,
    (segments, value, at, where, query) => {
      const path = [...segments]
      const encoded = encodeURIComponent(value)
      if (where === 'path') path.splice(Math.min(at, path.length), 0, encoded)
      const q = where === 'query' ? [query, `foo=${encoded}`].filter(Boolean).join('&') : where === 'key' ? [query, encoded].filter(Boolean).join('&') : query
      const url = `/${path.join('/')}${q ? `?${q}` : ''}`
      const out = redactUrl(url)
      for (const f of forms(value)) if (out.includes(f)) return false
      // Whatever else the URL held is left readable.
      return out.startsWith(`/${path.slice(0, Math.min(at, path.length)).filter((s) => s !== encoded).join('/')}`.replace(/\/$/, '') || '/')
    }), { numRuns: 2000 })
})

t.test('redactUrl: a URL without personal values is unchanged', async (t) => {
  fc.assert(fc.property(fc.array(arbSafeSegment, { minLength: 1, maxLength: 6 }), arbSafeQuery, (segments, query) => {
    const url = `/${segments.join('/')}${query ? `?${query}` : ''}`
    return redactUrl(url) === url
  }), { numRuns: 2000 })
})

t.test('redactLogLine: personal values inside log strings never survive, and the line stays JSON', async (t) => {
  fc.assert(fc.property(fc.string(), arbPersonal, fc.string(), fc.uuid(), (before, value, after, id) => {
    const line = JSON.stringify({ level: 30, time: Date.now(), reqId: id, msg: `${before} ${value} ${after}`, responseTime: 12.5 })
    const out = redactLogLine(line)
    const parsed = JSON.parse(out)
    return !out.includes(value) && parsed.reqId === id && parsed.time !== undefined
  }), { numRuns: 2000 })
})

t.test('the examples of the security review', async (t) => {
  t.equal(redactUrl('/api/v1/orders/by-external-id/13812340003'), '/api/v1/orders/by-external-id/[redacted]')
  t.equal(redactUrl('/api/v1/customers?foo=138-1234-0001&limit=5'), '/api/v1/customers?foo=[redacted]&limit=5')
  t.equal(redactUrl('/api/v1/referrers/by-code/zhang.san%40example.com'), '/api/v1/referrers/by-code/[redacted]')
  t.equal(redactUrl('/x/%2B86%20138%201234%200001/y'), '/x/[redacted]/y')
  t.equal(redactUrl('/x?id=11010519491231002X'), '/x?id=[redacted]')
  t.equal(redactUrl('/api/v1/customers/0190a5c3-1389-7000-8000-000013812345'), '/api/v1/customers/0190a5c3-1389-7000-8000-000013812345', 'our ids stay')
})

// ---- A scripted run through the real logger -------------------------------------------------

const PHONE_PATH = '13812340003'
const PHONE_DASHED = '138-1234-0001'
const PHONE_PLUS = '+86 139 0000 0007'
const EMAIL = 'li.si.private@example.org'
const EMAIL_2 = 'wang.wu@example.net'
const ID_NUMBER = '11010519491231002X'
const BODY_PHONE = '13700001111'
const GQL_PHONE = '13600002222'
const GQL_EMAIL = 'gql.person@example.com'
const ERROR_PHONE = '13500003333'
const VALUES = [PHONE_PATH, PHONE_DASHED, PHONE_PLUS, EMAIL, EMAIL_2, ID_NUMBER, BODY_PHONE, GQL_PHONE, GQL_EMAIL, ERROR_PHONE]

for (const kind of databaseKinds) {
  t.test(`${kind}: a scripted run leaves no personal value in the log`, async (t) => {
    const { ctx, lines } = await buildLoggedApp(t, kind, { LOG_LEVEL: 'trace' })
    const admin = ctx.adminToken
    const steps = [
      // Paths: the caller's own ids.
      () => ctx.rest(admin, 'GET', `/api/v1/orders/by-external-id/${PHONE_PATH}`),
      () => ctx.rest(admin, 'PUT', `/api/v1/customers/by-external-id/${encodeURIComponent(EMAIL)}`, { name: 'By email id' }),
      () => ctx.rest(admin, 'GET', `/api/v1/customers/${encodeURIComponent(PHONE_PLUS)}`),
      () => ctx.rest(admin, 'GET', `/api/v1/referrers/by-code/${ID_NUMBER}`),
      () => ctx.rest(admin, 'GET', `/api/v1/no-such-route/${PHONE_PATH}`),
      // Queries under innocent keys.
      () => ctx.rest(admin, 'GET', `/api/v1/customers?foo=${PHONE_DASHED}&limit=5`),
      () => ctx.rest(admin, 'GET', `/api/v1/customers?status=${encodeURIComponent(EMAIL_2)}`),
      () => ctx.rest(admin, 'GET', `/api/v1/customers?x=${encodeURIComponent(PHONE_PLUS)}`),
      // Bodies, valid and refused (the refusal's detail is logged).
      () => ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Body', phone: BODY_PHONE, email: EMAIL_2 }),
      () => ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Bad', phone: `${ERROR_PHONE}0`, idNumber: ID_NUMBER, note: ERROR_PHONE }),
      () => ctx.rest(admin, 'POST', '/api/v1/customers', { name: ERROR_PHONE, unknownField: EMAIL }),
      // GraphQL variables and inline arguments, valid and refused.
      () => ctx.gql(admin, 'query($s: String) { customers(filter: { search: $s }) { totalCount } }', { s: GQL_PHONE }),
      () => ctx.gql(admin, `{ customers(filter: { search: "${GQL_EMAIL}" }) { totalCount } }`),
      () => ctx.gql(admin, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { message } } }', { i: { name: 'G', phone: GQL_PHONE, email: GQL_EMAIL } }),
      () => ctx.gql(admin, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } } }', { i: { name: 'G', phone: `${ERROR_PHONE}99`, extra: GQL_EMAIL } }),
      () => ctx.gql(admin, `{ customer(id: "${ERROR_PHONE}") { id } }`),
      // Unauthenticated, with the value in the path.
      () => ctx.rest(null, 'GET', `/api/v1/orders/by-external-id/${PHONE_PATH}`)
    ]
    for (const step of steps) await step()
    const log = lines.join('')
    t.ok(lines.length > steps.length, 'the run was logged')
    t.match(log, '/api/v1/orders/by-external-id/[redacted]', 'the path stays readable around the value')
    for (const value of VALUES) {
      for (const form of forms(value)) t.notOk(log.includes(form), `${form} is not in the log`)
    }
    for (const line of lines) JSON.parse(line)
  })
}
