import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { channel, customer, dayTime, enqueue, grant, messageRow, rand, template } from '../notifications/gate-support.js'

const RECORD = 'mutation($i: RecordConsentInput!) { recordConsent(input: $i) { consent { id customerId purpose channel granted source textVersion note occurredAt actorType } userErrors { field code message } } }'
const WITHDRAW = 'mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { consent { id purpose channel granted source } userErrors { field code message } } }'
const STATE = 'query($id: ID!) { customer(id: $id) { id consents { purpose channel granted source occurredAt textVersion } } }'

await forEachDatabase(t, async (t, ctx) => {
  await t.test('record and withdraw (GraphQL variables and inline, REST): history kept, current state on the customer, events emitted', async (t) => {
    const c = await customer(ctx)
    const r = await ctx.gql(ctx.adminToken, RECORD, { i: { customerId: c, purpose: 'marketing', channel: 'sms', source: 'form', textVersion: 'mkt-2025-01', occurredAt: '2025-01-02T03:04:05Z' } })
    t.same(r.data.recordConsent.userErrors, [])
    t.match(r.data.recordConsent.consent, { customerId: c, purpose: 'marketing', channel: 'sms', granted: true, source: 'form', textVersion: 'mkt-2025-01', occurredAt: '2025-01-02T03:04:05.000Z', actorType: 'api_key' })
    const inline = await ctx.gql(ctx.adminToken, `mutation { recordConsent(input: { customerId: "${c}", purpose: cross_border, source: api }) { consent { channel granted } userErrors { code } } }`)
    t.same(inline.data.recordConsent, { consent: { channel: 'any', granted: true }, userErrors: [] })
    const w = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents/withdrawals', { customerId: c, purpose: 'marketing', channel: 'sms', source: 'form' })
    t.equal(w.statusCode, 201)
    t.match(w.json(), { granted: false, channel: 'sms', source: 'form' })
    const state = await ctx.gql(ctx.adminToken, STATE, { id: c })
    t.match(state.data.customer.consents.find((s: { purpose: string }) => s.purpose === 'marketing'), { channel: 'sms', granted: false, source: 'form' })
    t.match(state.data.customer.consents.find((s: { purpose: string }) => s.purpose === 'cross_border'), { channel: 'any', granted: true })
    const rest = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/customers/${c}/consents`)
    t.equal(rest.json().length, 2)
    const history = await ctx.gql(ctx.adminToken, 'query($c: ID!) { consents(filter: { customerId: $c, purpose: marketing }) { totalCount edges { node { granted } } } }', { c })
    t.equal(history.data.consents.totalCount, 2, 'both records kept')
    t.same(history.data.consents.edges.map((e: { node: { granted: boolean } }) => e.node.granted), [false, true], 'newest first')
    const events = await ctx.sql<{ type: string }>("select type from outbox_events where type like 'consent.%' and data->'consent'->>'customerId' = $1 order by occurred_at, id", [c])
    t.same(events.map((e) => e.type), ['consent.granted', 'consent.granted', 'consent.withdrawn'])
  })

  await t.test('bad input: one subject, staff needs a note, import needs proof, never in the future, unknown customer 404-like', async (t) => {
    const c = await customer(ctx)
    const cases: [Record<string, unknown>, string][] = [
      [{ purpose: 'marketing', source: 'form' }, 'customerId:SUBJECT'],
      [{ customerId: c, purpose: 'marketing', source: 'staff' }, 'note:REQUIRED'],
      [{ customerId: c, purpose: 'marketing', source: 'import' }, 'proof:REQUIRED'],
      [{ customerId: c, purpose: 'marketing', source: 'form', occurredAt: '2999-01-01T00:00:00Z' }, 'occurredAt:IN_FUTURE'],
      [{ customerId: c, purpose: 'spam', source: 'form' }, 'purpose:INVALID']
    ]
    for (const [i, want] of cases) {
      const r = await ctx.gql(ctx.adminToken, RECORD, { i })
      const got = r.data?.recordConsent?.userErrors?.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)[0] ?? r.errors?.[0]?.extensions?.code
      t.ok(got === want || (want === 'purpose:INVALID' && got === 'BAD_USER_INPUT'), `${JSON.stringify(i)} → ${got}`)
    }
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents', { customerId: c, purpose: 'marketing', source: 'unsubscribe' })
    t.equal(rest.statusCode, 400, 'unsubscribe is recorded only by the link')
    const missing = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents', { customerId: '01900000-0000-7000-8000-0000000000ff', purpose: 'marketing', source: 'form' })
    t.equal(missing.statusCode, 404)
  })

  await t.test('roles: a sales rep records for their own customers only; marketing reads; a referrer cannot', async (t) => {
    const rep = await ctx.staff('sales')
    const other = await ctx.staff('sales')
    const mine = (await ctx.rest(rep.token, 'POST', '/api/v1/customers', { name: `客户${rand()}` })).json().id
    const ok = await ctx.gql(rep.token, RECORD, { i: { customerId: mine, purpose: 'marketing', source: 'staff', note: '面谈时口头同意' } })
    t.same(ok.data.recordConsent.userErrors, [])
    t.match(ok.data.recordConsent.consent, { actorType: 'user', source: 'staff' })
    const theirs = await ctx.rest(other.token, 'POST', '/api/v1/consents', { customerId: mine, purpose: 'marketing', source: 'staff', note: 'x' })
    t.equal(theirs.statusCode, 404, 'another team rep: not found')
    const seen = await ctx.gql(other.token, 'query($c: ID!) { consents(filter: { customerId: $c }) { totalCount } }', { c: mine })
    t.equal(seen.data.consents.totalCount, 0)
    const marketing = await ctx.staff('marketing')
    const read = await ctx.rest(marketing.token, 'GET', `/api/v1/consents?customerId=${mine}`)
    t.equal(read.json().data.length, 1)
    t.equal((await ctx.rest(marketing.token, 'POST', '/api/v1/consents', { customerId: mine, purpose: 'marketing', source: 'form' })).statusCode, 403)
    const ref = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/referrers', { kind: 'partner', name: `渠道${rand()}` })
    const refToken = (await ctx.rest(ctx.adminToken, 'POST', '/api/v1/auth/referrer-token', { referrerId: ref.json().id })).json().accessToken
    t.equal((await ctx.rest(refToken, 'GET', '/api/v1/consents')).statusCode, 403)
    const forRef = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/consents', { referrerId: ref.json().id, purpose: 'processing', source: 'form' })
    t.match(forRef.json(), { referrerId: ref.json().id, customerId: null })
  })

  await t.test("the customer's consent field records a consent (create and update)", async (t) => {
    const res = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', {
      name: `客户${rand()}`, consent: { granted: true, at: '2025-03-01T08:00:00+08:00', channel: 'sms', purpose: '营销短信推送' }
    })
    const id = res.json().id
    const [row] = await ctx.sql<{ purpose: string; channel: string; granted: boolean; source: string }>('select purpose, channel, granted, source from consent_records where customer_id = $1', [id])
    t.same(row, { purpose: 'marketing', channel: 'sms', granted: true, source: 'api' })
    await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { consent: { granted: false, at: '2025-03-02T08:00:00+08:00', channel: 'phone', purpose: 'data processing' } })
    const rows = await ctx.sql<{ purpose: string; granted: boolean }>('select purpose, granted from consent_records where customer_id = $1 order by occurred_at', [id])
    t.same(rows, [{ purpose: 'marketing', granted: true }, { purpose: 'processing', granted: false }])
  })

  await t.test('unsubscribe link: GET or POST, no login, once; blocks pending messages and the next send; forged links 404', async (t) => {
    await channel(ctx, 'sms')
    const tpl = await template(ctx)
    const c = await customer(ctx)
    await grant(ctx, c, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const [sent] = await enqueue(ctx, [{ customerId: c, templateId: tpl, dedupeKey: `k-${rand()}` }], dayTime(1))
    const [held] = await enqueue(ctx, [{ customerId: c, templateId: tpl, dedupeKey: `k-${rand()}` }], dayTime(9, 23))
    t.equal(held.status, 'held')
    const link = (await messageRow(ctx, sent.messageId!)).content!.params.unsubscribeUrl as string
    const path = new URL(link).pathname
    const first = await ctx.rest(null, 'GET', path)
    t.equal(first.statusCode, 200)
    t.match(first.json(), { status: 'unsubscribed', purpose: 'marketing', channel: 'sms' })
    t.equal((await ctx.rest(null, 'POST', path)).statusCode, 200, 'followed again: the same answer')
    const [n] = await ctx.sql<{ n: number }>("select count(*)::int as n from consent_records where customer_id = $1 and source = 'unsubscribe'", [c])
    t.equal(n.n, 1, 'one withdrawal')
    t.match(await messageRow(ctx, held.messageId!), { status: 'blocked', reason: 'consent_withdrawn' })
    const [next] = await enqueue(ctx, [{ customerId: c, templateId: tpl, dedupeKey: `k-${rand()}` }], dayTime(15))
    t.match(next, { status: 'blocked', reason: 'no_consent' })
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA')
    t.equal((await ctx.rest(null, 'GET', forged)).statusCode, 404)
    t.equal((await ctx.rest(null, 'GET', '/api/v1/public/unsubscribe/not-a-token-at-all')).statusCode, 404)
  })
})
