import t from 'tap'
import { isDatabaseUnavailable } from '../../src/db/unavailable.js'
import { toCrmError } from '../../src/http/problem.js'

// What counts as "the database is unavailable" (503, retry) rather than a failed statement.
const pgError = (code: string, severity = 'ERROR', message = 'x') => Object.assign(new Error(message), { code, severity })
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: begin\nparams: '), { cause })

t.test('outages of every kind are recognised, however deep the driver error sits', async (t) => {
  const outages: [string, unknown][] = [
    ['admin shutdown 57P01', pgError('57P01', 'FATAL', 'terminating connection due to administrator command')],
    ['crash shutdown 57P02', pgError('57P02')],
    ['cannot connect now 57P03', pgError('57P03')],
    ['connection exception 08006', pgError('08006')],
    ['connection does not exist 08003', pgError('08003')],
    ['a database that accepts no connections (FATAL 55000)', pgError('55000', 'FATAL', 'database "x" is not currently accepting connections')],
    ['a dropped database (FATAL 3D000)', pgError('3D000', 'FATAL')],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })],
    ['every address refused', Object.assign(new AggregateError([Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })]), {})],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['a dead client', new Error('Client has encountered a connection error and is not queryable')],
    ['pool wait timeout', new Error('timeout exceeded when trying to connect')],
    ['connect timeout', new Error('Connection terminated due to connection timeout')]
  ]
  for (const [name, err] of outages) {
    t.ok(isDatabaseUnavailable(err), name)
    t.ok(isDatabaseUnavailable(wrapped(err)), `${name}, wrapped by drizzle`)
    const crm = toCrmError(wrapped(err))
    t.equal(crm.code, 'CRM_ERR_DATABASE_UNAVAILABLE', `${name} answers DATABASE_UNAVAILABLE`)
    t.equal(crm.status, 503)
  }
})

t.test('failed statements are not outages', async (t) => {
  const failures: [string, unknown, string][] = [
    ['unique violation', pgError('23505'), 'CRM_ERR_CONFLICT'],
    ['deadlock', pgError('40P01'), 'CRM_ERR_CONFLICT'],
    ['a missing table (unmigrated)', pgError('42P01'), 'CRM_ERR_INTERNAL'],
    ['a bug', new TypeError('Cannot read properties of null'), 'CRM_ERR_INTERNAL'],
    ['nothing at all', undefined, 'CRM_ERR_INTERNAL'],
    ['a string', 'Connection terminated', 'CRM_ERR_INTERNAL']
  ]
  for (const [name, err, code] of failures) {
    t.notOk(isDatabaseUnavailable(err), name)
    t.equal(toCrmError(wrapped(err)).code, code, `${name} keeps its mapping`)
  }
})
