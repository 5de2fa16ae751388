import t from 'tap'
import { randomUUID } from 'node:crypto'
import { forEachDatabase, type TestApp } from '../helper.js'

const PROBLEM = /^application\/problem\+json/

/** How many customers carry this name (the suites give each test its own). */
async function customersNamed(ctx: TestApp, name: string): Promise<number> {
  const [row] = await ctx.sql<{ n: number }>('select count(*)::int as n from customers where name = $1', [name])
  return row.n
}

const keyRows = (ctx: TestApp, key: string) =>
  ctx.sql<{ scope: string; state: string; response_status: number | null; response_body: string | null; created_at: Date; expires_at: Date }>(
    'select scope, state, response_status, response_body, created_at, expires_at from idempotency_keys where key = $1', [key])

await forEachDatabase(t, async (t, ctx) => {
  const post = (body: unknown, key: string, token = ctx.adminToken) =>
    ctx.rest(token, 'POST', '/api/v1/customers', body, { 'idempotency-key': key })

  await t.test('a retry with the same key returns the first answer: same customer, 201, location and etag, marked as replayed', async (t) => {
    const key = randomUUID()
    const first = await post({ name: 'Idem Rest One', tags: ['a', 'b'] }, key)
    t.equal(first.statusCode, 201)
    t.notOk(first.headers['idempotent-replayed'], 'the first answer is not a replay')
    const again = await post({ tags: ['a', 'b'], name: 'Idem Rest One' }, key)
    t.equal(again.statusCode, 201)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal(again.body, first.body, 'byte for byte the first body')
    t.equal(again.json().id, first.json().id)
    t.equal(again.headers.location, first.headers.location)
    t.equal(again.headers.etag, first.headers.etag)
    t.match(again.headers['content-type'], /^application\/json/)
    t.not(again.headers['x-request-id'], first.headers['x-request-id'], 'the replay is its own request')
    t.equal(await customersNamed(ctx, 'Idem Rest One'), 1, 'one record only')
  })

  await t.test('the same key with a different body answers 422 CRM_ERR_IDEMPOTENCY_KEY_REUSED and changes nothing', async (t) => {
    const key = randomUUID()
    t.equal((await post({ name: 'Idem Reuse A' }, key)).statusCode, 201)
    const other = await post({ name: 'Idem Reuse B' }, key)
    t.equal(other.statusCode, 422)
    t.match(other.headers['content-type'], PROBLEM)
    t.match(other.json(), { status: 422, code: 'CRM_ERR_IDEMPOTENCY_KEY_REUSED', errors: [{ field: 'Idempotency-Key', code: 'IDEMPOTENCY_KEY_REUSED' }] })
    t.equal(await customersNamed(ctx, 'Idem Reuse B'), 0)
    const elsewhere = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { name: 'Idem Reuse A' }, { 'idempotency-key': key })
    t.equal(elsewhere.statusCode, 422, 'another route with the key is another request')
  })

  await t.test('the same body under another If-Match is another request', async (t) => {
    const id = (await post({ name: 'Idem If-Match' }, randomUUID())).json().id
    const key = randomUUID()
    const patch = (ifMatch: string) => ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { company: 'ACME' }, { 'idempotency-key': key, 'if-match': ifMatch })
    const first = await patch('"1"')
    t.equal(first.statusCode, 200)
    t.equal(first.headers.etag, '"2"')
    const replay = await patch('"1"')
    t.equal(replay.headers['idempotent-replayed'], 'true')
    t.equal(replay.headers.etag, '"2"', 'the version is not bumped again')
    t.equal((await patch('"2"')).statusCode, 422)
  })

  await t.test('a 4xx answer is stored and replayed: service validation and schema validation alike', async (t) => {
    const key = randomUUID()
    const bad = await post({ name: 'Idem Bad Phone', phone: '12345' }, key)
    t.equal(bad.statusCode, 400)
    const again = await post({ name: 'Idem Bad Phone', phone: '12345' }, key)
    t.equal(again.statusCode, 400)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.match(again.headers['content-type'], PROBLEM)
    t.same(again.json(), bad.json())
    const schemaKey = randomUUID()
    const unknown = await post({ name: 'Idem Unknown Field', colour: 'blue' }, schemaKey)
    t.equal(unknown.statusCode, 400)
    const unknownAgain = await post({ name: 'Idem Unknown Field', colour: 'blue' }, schemaKey)
    t.equal(unknownAgain.headers['idempotent-replayed'], 'true')
    t.same(unknownAgain.json(), unknown.json())
  })

  await t.test('a DELETE retry replays its 204 instead of a 404', async (t) => {
    const id = (await post({ name: 'Idem Delete' }, randomUUID())).json().id
    const key = randomUUID()
    const first = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${id}`, undefined, { 'idempotency-key': key })
    t.equal(first.statusCode, 204)
    const again = await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${id}`, undefined, { 'idempotency-key': key })
    t.equal(again.statusCode, 204)
    t.equal(again.headers['idempotent-replayed'], 'true')
    t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/customers/${id}`)).statusCode, 404, 'without the key it runs again')
  })

  await t.test('a key on a read is ignored, however it looks', async (t) => {
    const key = 'k'.repeat(300)
    const res = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?limit=1', undefined, { 'idempotency-key': key })
    t.equal(res.statusCode, 200)
    t.notOk(res.headers['idempotent-replayed'])
    t.same(await keyRows(ctx, key), [])
  })

  await t.test('a malformed key is a 400 problem naming the header, and nothing runs', async (t) => {
    for (const key of ['', 'x'.repeat(256), 'tab\there', ' leading']) {
      const res = await post({ name: 'Idem Bad Key' }, key)
      t.equal(res.statusCode, 400, JSON.stringify(key))
      t.match(res.headers['content-type'], PROBLEM)
      t.match(res.json(), { code: 'CRM_ERR_VALIDATION', errors: [{ field: 'Idempotency-Key', code: 'INVALID_IDEMPOTENCY_KEY' }] })
    }
    t.equal(await customersNamed(ctx, 'Idem Bad Key'), 0)
    t.equal((await post({ name: 'Idem Long Key' }, 'x'.repeat(255))).statusCode, 201, '255 characters are fine')
  })

  await t.test('keys are scoped to the caller: two API keys with one key and one body get two records', async (t) => {
    const other = await ctx.keyToken('integration')
    const key = randomUUID()
    const mine = await post({ name: 'Idem Scoped' }, key)
    const theirs = await post({ name: 'Idem Scoped' }, key, other)
    t.equal(mine.statusCode, 201)
    t.equal(theirs.statusCode, 201)
    t.notOk(theirs.headers['idempotent-replayed'])
    t.not(theirs.json().id, mine.json().id)
    t.equal(await customersNamed(ctx, 'Idem Scoped'), 2)
    const scopes = (await keyRows(ctx, key)).map((r) => r.scope)
    t.equal(new Set(scopes).size, 2, 'one record per caller')
    t.ok(scopes.every((s) => s.startsWith('key:')), 'scoped by API key')
  })

  await t.test('OpenAPI shows the header on writes, not on reads or public routes', async (t) => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const headerOf = (op: { parameters?: { name: string; in: string }[] }) => op.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key')
    t.ok(headerOf(doc.paths['/api/v1/customers'].post))
    t.ok(headerOf(doc.paths['/api/v1/customers/{id}'].patch))
    t.notOk(headerOf(doc.paths['/api/v1/customers'].get))
    t.notOk(headerOf(doc.paths['/api/v1/auth/token'].post))
  })

  await t.test('a public route ignores the key: a token exchange is never stored', async (t) => {
    const key = randomUUID()
    const res = await ctx.rest(null, 'POST', '/api/v1/auth/token', { apiKey: 'crm_test_bootstrap_admin_key_0123456789' }, { 'idempotency-key': key })
    t.equal(res.statusCode, 200)
    t.same(await keyRows(ctx, key), [])
  })

  await t.test('the stored answer is sealed, and expires after IDEMPOTENCY_TTL_HOURS (24)', async (t) => {
    const key = randomUUID()
    await post({ name: 'Idem Sealed', email: 'sealed@example.com' }, key)
    const [row] = await keyRows(ctx, key)
    t.equal(row.state, 'done')
    t.equal(row.response_status, 201)
    t.match(row.response_body, /^v2\./)
    t.notMatch(row.response_body, /Idem Sealed|sealed@example\.com/)
    t.equal(new Date(row.expires_at).getTime() - new Date(row.created_at).getTime(), 24 * 3_600_000)
  })

  await t.test('ten concurrent identical requests create exactly one customer', async (t) => {
    const key = randomUUID()
    const answers = await Promise.all(Array.from({ length: 10 }, () => post({ name: 'Idem Race' }, key)))
    const statuses = answers.map((a) => a.statusCode)
    t.ok(statuses.every((s) => s === 201 || s === 409), `only 201 and 409: ${statuses}`)
    const created = answers.filter((a) => a.statusCode === 201)
    t.ok(created.length >= 1)
    t.equal(new Set(created.map((a) => a.json().id)).size, 1, 'every 201 names the same customer')
    t.equal(created.filter((a) => !a.headers['idempotent-replayed']).length, 1, 'one of them ran')
    for (const refused of answers.filter((a) => a.statusCode === 409)) t.equal(refused.headers['retry-after'], '1')
    t.equal(await customersNamed(ctx, 'Idem Race'), 1)
    const settled = await post({ name: 'Idem Race' }, key)
    t.equal(settled.json().id, created[0].json().id, 'once settled, a retry replays')
  })

  await t.test('a retry while the first is running is 409 with Retry-After; a claim whose lock ran out is taken over', async (t) => {
    const key = randomUUID()
    const first = await post({ name: 'Idem In Flight' }, key)
    // As if the first request were still running: its record back in flight, lock held.
    await ctx.sql("update idempotency_keys set state = 'in_flight', locked_until = now() + interval '1 minute' where key = $1", [key])
    const busy = await post({ name: 'Idem In Flight' }, key)
    t.equal(busy.statusCode, 409)
    t.equal(busy.headers['retry-after'], '1')
    t.match(busy.json(), { code: 'CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT', errors: [{ field: 'Idempotency-Key', code: 'IDEMPOTENCY_KEY_IN_FLIGHT' }] })
    t.equal((await post({ name: 'Idem In Flight, other' }, key)).statusCode, 422, 'another body is still refused as reuse')
    // Its process died: the lock runs out and a retry runs the request again.
    await ctx.sql("update idempotency_keys set locked_until = now() - interval '1 second' where key = $1", [key])
    const rerun = await post({ name: 'Idem In Flight' }, key)
    t.equal(rerun.statusCode, 201)
    t.notOk(rerun.headers['idempotent-replayed'])
    t.not(rerun.json().id, first.json().id)
    t.equal((await post({ name: 'Idem In Flight' }, key)).json().id, rerun.json().id, 'and its answer is the one replayed now')
  })

  if (ctx.kind === 'postgres') {
    await t.test('a retry while the first is really still running (held on a table lock) is 409; after it, a replay', async (t) => {
      const key = randomUUID()
      const holder = await ctx.app.database.pool!.connect()
      try {
        await holder.query('begin')
        await holder.query('lock table customers in exclusive mode')
        const slow = post({ name: 'Idem Slow' }, key)
        for (let i = 0; i < 200 && (await keyRows(ctx, key)).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
        const busy = await post({ name: 'Idem Slow' }, key)
        t.equal(busy.statusCode, 409)
        t.equal(busy.json().code, 'CRM_ERR_IDEMPOTENCY_KEY_IN_FLIGHT')
        await holder.query('commit')
        const first = await slow
        t.equal(first.statusCode, 201)
        const again = await post({ name: 'Idem Slow' }, key)
        t.equal(again.headers['idempotent-replayed'], 'true')
        t.equal(again.json().id, first.json().id)
        t.equal(await customersNamed(ctx, 'Idem Slow'), 1)
      } finally {
        await holder.query('rollback').catch(() => {})
        holder.release()
      }
    })
  }

  await t.test('after its TTL a key may be used again, even for another request', async (t) => {
    const key = randomUUID()
    const first = await post({ name: 'Idem Expiring' }, key)
    await ctx.sql("update idempotency_keys set expires_at = now() - interval '1 second' where key = $1", [key])
    const again = await post({ name: 'Idem Expired, new' }, key)
    t.equal(again.statusCode, 201)
    t.notOk(again.headers['idempotent-replayed'])
    t.not(again.json().id, first.json().id)
    t.equal((await post({ name: 'Idem Expired, new' }, key)).headers['idempotent-replayed'], 'true', 'the key now belongs to the new request')
  })

  await t.test('a 5xx releases the key, so the retry runs', async (t) => {
    // A trigger that fails the insert as a server error would (not a client mistake).
    await ctx.sql(`create function idem_boom() returns trigger language plpgsql as $$
      begin if new.name = 'Idem Boom' then raise exception 'boom' using errcode = 'XX000'; end if; return new; end $$`)
    await ctx.sql('create trigger idem_boom before insert on customers for each row execute function idem_boom()')
    const key = randomUUID()
    const failed = await post({ name: 'Idem Boom' }, key)
    t.equal(failed.statusCode, 500)
    t.same(await keyRows(ctx, key), [], 'nothing kept')
    await ctx.sql('drop trigger idem_boom on customers')
    await ctx.sql('drop function idem_boom()')
    const retried = await post({ name: 'Idem Boom' }, key)
    t.equal(retried.statusCode, 201)
    t.notOk(retried.headers['idempotent-replayed'])
  })

  await t.test('a deadlock or serialization failure (409 CONCURRENT_CHANGE) releases the key, so the retry runs', async (t) => {
    await ctx.sql(`create function idem_clash() returns trigger language plpgsql as $$
      begin if new.name = 'Idem Clash' then raise exception 'clash' using errcode = '40001'; end if; return new; end $$`)
    await ctx.sql('create trigger idem_clash before insert on customers for each row execute function idem_clash()')
    const key = randomUUID()
    const failed = await post({ name: 'Idem Clash' }, key)
    t.equal(failed.statusCode, 409)
    t.match(failed.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ code: 'CONCURRENT_CHANGE' }] })
    t.same(await keyRows(ctx, key), [], 'nothing kept')
    await ctx.sql('drop trigger idem_clash on customers')
    await ctx.sql('drop function idem_clash()')
    const retried = await post({ name: 'Idem Clash' }, key)
    t.equal(retried.statusCode, 201)
    t.notOk(retried.headers['idempotent-replayed'])
  })
})
