import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const CREATE = `mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { field code existingId message } } }`

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north })
  const carol = await ctx.staff('sales', { teamId: south })
  const create = async (token: string, i: Record<string, unknown>) => (await ctx.gql(token, CREATE, { i: { kind: 'partner', ...i } })).data.createReferrer
  const first = (await create(alice.token, { name: '合作伙伴', phone: '+86 138-1234-5678', email: 'partner@example.com' })).referrer

  await t.test('a referrer with the phone of a live referrer is DUPLICATE (variables and inline)', async (t) => {
    const r = await create(admin, { name: 'Again', phone: '13812345678' })
    t.same(r.userErrors.map((e: Record<string, unknown>) => [e.field, e.code, e.existingId]), [['phone', 'DUPLICATE', first.id]])
    const inline = await ctx.gql(admin, 'mutation { createReferrer(input: { kind: partner, name: "Inline", email: "PARTNER@example.com" }) { referrer { id } userErrors { field code existingId } } }')
    t.same(inline.data.createReferrer, { referrer: null, userErrors: [{ field: 'email', code: 'DUPLICATE', existingId: first.id }] })
  })

  await t.test('five referrers with one phone: only the first is accepted unless allowDuplicate', async (t) => {
    const codes = []
    for (let i = 0; i < 5; i++) codes.push((await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'customer', name: `Five ${i}`, phone: '13900000005' })).statusCode)
    t.same(codes, [201, 409, 409, 409, 409])
    const allowed = await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Five again', phone: '13900000005', allowDuplicate: true })
    t.equal(allowed.statusCode, 201)
  })

  await t.test("another team's rep gets the id: sales reps read every referrer (they write only their team's)", async (t) => {
    const r = await create(carol.token, { name: 'Seen', phone: '13812345678' })
    t.same(r.userErrors.map((e: Record<string, unknown>) => [e.field, e.code, e.existingId]), [['phone', 'DUPLICATE', first.id]])
  })

  await t.test('a customer with the same phone does not block a referrer', async (t) => {
    await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Customer', phone: '13700000007' })
    t.equal((await ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'customer', name: 'Also referrer', phone: '13700000007' })).statusCode, 201)
  })

  await t.test('a deleted referrer does not block; an update onto a live one is DUPLICATE', async (t) => {
    const gone = (await create(admin, { name: 'Gone', phone: '13600000001' })).referrer
    t.equal((await ctx.rest(admin, 'DELETE', `/api/v1/referrers/${gone.id}`)).statusCode, 204)
    const back = (await create(admin, { name: 'Back', phone: '13600000001' })).referrer
    t.ok(back.id)
    const patch = await ctx.rest(admin, 'PATCH', `/api/v1/referrers/${back.id}`, { email: 'partner@example.com' })
    t.equal(patch.statusCode, 409)
    t.equal(patch.json().errors[0].existingId, first.id)
    t.equal((await ctx.rest(admin, 'PATCH', `/api/v1/referrers/${back.id}`, { phone: '13600000001', name: 'Same phone' })).statusCode, 200)
  })

  await t.test('upsert by externalId: creating is checked, updating its own is not', async (t) => {
    const put = await ctx.rest(admin, 'PUT', '/api/v1/referrers/by-external-id/rx-1', { kind: 'partner', name: 'X', phone: '13812345678' })
    t.equal(put.statusCode, 409)
    t.equal((await ctx.rest(admin, 'PUT', '/api/v1/referrers/by-external-id/rx-2', { kind: 'partner', name: 'Y', phone: '13500000001' })).statusCode, 201)
    t.equal((await ctx.rest(admin, 'PUT', '/api/v1/referrers/by-external-id/rx-2', { kind: 'partner', name: 'Y2', phone: '13500000001' })).statusCode, 200)
  })

  await t.test('concurrent creates with one email: exactly one succeeds', async (t) => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      ctx.rest(admin, 'POST', '/api/v1/referrers', { kind: 'partner', name: `Racer ${i}`, email: 'race@example.com' })))
    t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409])
  })
})
