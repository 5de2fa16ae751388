import t from 'tap'
import { forEachDatabase, type TestApp } from '../helper.js'
import { createReferrer, referrerToken } from '../modules/referrals/support.js'

const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { field message } } }'
const CREATE_KEY = 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret userErrors { field message } } }'

/** A staff user with an email, and a token for a key of theirs. */
async function staffWithEmail(ctx: TestApp, role: string, email: string, teamId?: string) {
  const u = await ctx.gql(ctx.adminToken, CREATE_USER, { i: { name: `${role} ${email.split(".")[0]}`, role, email, teamId } })
  const userId = u.data.createUser.user.id as string
  const k = await ctx.gql(ctx.adminToken, CREATE_KEY, { i: { name: `${role} key`, role, userId } })
  return { userId, email, token: await ctx.tokenFor(k.data.createApiKey.secret) }
}

const PHONE = '13900000002'
const EMAIL = 'customer.two@example.com'

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const marketing = await staffWithEmail(ctx, 'marketing', 'mia.marketing@corp.example', team)
  const sales = await staffWithEmail(ctx, 'sales', 'sam.sales@corp.example', team)
  const other = await staffWithEmail(ctx, 'service', 'olga.service@corp.example', team)

  await t.test('users: marketing sees other staff emails masked, its own in clear (REST and GraphQL)', async (t) => {
    const rest = await ctx.rest(marketing.token, 'GET', '/api/v1/users?limit=200')
    t.equal(rest.statusCode, 200)
    const byId = new Map((rest.json().data as { id: string; email: string | null }[]).map((u) => [u.id, u.email]))
    t.equal(byId.get(marketing.userId), marketing.email)
    t.equal(byId.get(sales.userId), 's***@corp.example', rest.body)
    t.equal(byId.get(other.userId), 'o***@corp.example')
    t.notOk(rest.body.includes(sales.email))
    t.notOk(rest.body.includes(other.email))

    const one = await ctx.rest(marketing.token, 'GET', `/api/v1/users/${other.userId}`)
    t.equal(one.json().email, 'o***@corp.example')

    const gql = await ctx.gql(marketing.token, `query($id: ID!) {
      me { user { id email team { members { id email } } } }
      users(first: 200) { edges { node { id email } } }
      user(id: $id) { email }
    }`, { id: sales.userId })
    t.equal(gql.errors, undefined)
    t.equal(gql.data.me.user.email, marketing.email)
    t.equal(gql.data.user.email, 's***@corp.example')
    const text = JSON.stringify(gql.data)
    t.notOk(text.includes(sales.email))
    t.notOk(text.includes(other.email))
    t.ok(text.includes(marketing.email), 'its own email stays clear')
  })

  await t.test('users: roles that read personal data see emails in clear', async (t) => {
    for (const caller of [sales, other]) {
      const r = await ctx.rest(caller.token, 'GET', `/api/v1/users/${marketing.userId}`)
      t.equal(r.json().email, marketing.email)
    }
  })

  await t.test('users: marketing cannot find staff by their email, whole or in part', async (t) => {
    const whole = await ctx.rest(marketing.token, 'GET', `/api/v1/users?search=${encodeURIComponent(sales.email)}`)
    t.equal(whole.statusCode, 403)
    t.equal(whole.json().code, 'CRM_ERR_FORBIDDEN')
    const part = await ctx.gql(marketing.token, '{ users(filter: { search: "sam.sales" }) { totalCount } }')
    t.equal(part.data.users.totalCount, 0, 'a part of an email matches nothing')
    const byName = await ctx.gql(marketing.token, '{ users(filter: { search: "sales sam" }) { totalCount } }')
    t.equal(byName.data.users.totalCount, 1, 'names are still searched')
    const salesPart = await ctx.gql(sales.token, '{ users(filter: { search: "sam.sales" }) { totalCount } }')
    t.equal(salesPart.data.users.totalCount, 1)
  })

  // Records whose phone and email marketing sees masked.
  const customer = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Customer Two', phone: PHONE, email: EMAIL, ownerId: sales.userId })
  t.equal(customer.statusCode, 201, customer.body)
  await ctx.rest(ctx.adminToken, 'POST', '/api/v1/leads', { source: 'web', name: 'Lead Two', phone: PHONE, email: EMAIL, ownerId: sales.userId })
  const referrer = await createReferrer(ctx, { name: 'Referrer Two', phone: PHONE, email: EMAIL, ownerId: sales.userId })
  const byReferrer = await ctx.rest(await referrerToken(ctx, referrer.id), 'POST', '/api/v1/referrals', { name: 'Referred Two', phone: '13900000009', email: 'referred.two@example.com' })
  t.equal(byReferrer.statusCode, 201, byReferrer.body)

  const lists = [
    { gql: 'customers', rest: 'customers' },
    { gql: 'referrers', rest: 'referrers' },
    { gql: 'leads', rest: 'leads' },
    { gql: 'referrals', rest: 'referrals' }
  ]
  const personal = [PHONE, '+86 139 0000 0002', '139-0000-0002', EMAIL, 'CUSTOMER.TWO@example.com', '13900000009', 'nobody.known@example.com', '13911112222']

  for (const list of lists) {
    await t.test(`${list.gql}: a role that sees masked values may not search by a clear phone or email`, async (t) => {
      const answers = new Set<string>()
      for (const value of personal) {
        const inline = await ctx.gql(marketing.token, `{ ${list.gql}(filter: { search: ${JSON.stringify(value)} }) { totalCount edges { node { id } } } }`)
        const vars = await ctx.gql(marketing.token, `query($s: String) { ${list.gql}(filter: { search: $s }) { totalCount } }`, { s: value })
        for (const r of [inline, vars]) {
          t.match(r.errors, [{ extensions: { code: 'FORBIDDEN', fields: [{ field: 'search', code: 'PERSONAL_SEARCH' }] } }], value)
          t.equal(r.data, null)
        }
        const rest = await ctx.rest(marketing.token, 'GET', `/api/v1/${list.rest}?search=${encodeURIComponent(value)}`)
        t.equal(rest.statusCode, 403, value)
        t.equal(rest.json().code, 'CRM_ERR_FORBIDDEN')
        answers.add(JSON.stringify({ ...rest.json(), instance: undefined }))
        answers.add(JSON.stringify(vars.errors?.map((e) => ({ message: e.message, extensions: e.extensions }))))
      }
      // A known and an unknown number get the same answer: nothing is confirmed.
      t.equal(answers.size, 2, [...answers].join('\n'))
      const text = await ctx.gql(marketing.token, `{ ${list.gql}(filter: { search: "Two" }) { totalCount } }`)
      t.equal(text.errors, undefined, 'a search by name still works')
      const clear = await ctx.gql(sales.token, `{ ${list.gql}(filter: { search: ${JSON.stringify(list.gql === 'referrals' ? '13900000009' : PHONE)} }) { totalCount } }`)
      t.equal(clear.errors, undefined, 'a role that reads phones in clear searches by them')
      const exported = await ctx.rest(marketing.token, 'GET', `/api/v1/export/${list.rest}?search=${PHONE}`)
      if (exported.statusCode !== 404) t.equal(exported.statusCode, 403, 'the export takes the same filter')
    })
  }

  await t.test('a referrer token may not search its referrals by a clear phone either', async (t) => {
    const token = await referrerToken(ctx, referrer.id)
    const r = await ctx.rest(token, 'GET', '/api/v1/referrals?search=13900000009')
    t.equal(r.statusCode, 403)
    const g = await ctx.gql(token, '{ referrals(filter: { search: "13900000009" }) { totalCount } }')
    t.match(g.errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('a campaign audience cannot carry a clear personal search for a role that sees it masked', async (t) => {
    const r = await ctx.gql(marketing.token, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id audienceSize } userErrors { field code } } }',
      { i: { name: 'Probe', audience: { search: PHONE } } })
    t.match(r.errors, [{ extensions: { code: 'FORBIDDEN', fields: [{ field: 'audience.search' }] } }])
    const rest = await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'Probe', audience: { search: EMAIL } })
    t.equal(rest.statusCode, 403)
    const ok = await ctx.rest(marketing.token, 'POST', '/api/v1/campaigns', { name: 'By name', audience: { search: 'Two' } })
    t.equal(ok.statusCode, 201, ok.body)
  })
})
