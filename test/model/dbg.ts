import t from 'tap'
import { buildTestApp } from '../helper.js'
t.test('x', { timeout: 0 }, async (t) => {
  const ctx = await buildTestApp(t, 'pglite')
  const tok = await ctx.keyToken('integration')
  for (const tk of [ctx.adminToken, tok]) {
    const r = await ctx.gql(tk, 'query { opportunities(first: 4) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount } }')
    console.log(JSON.stringify(r))
    const r2 = await ctx.gql(tk, 'query { opportunities(first: 4) { edges { cursor node { id } } totalCount } }')
    console.log(JSON.stringify(r2))
    const r3 = await ctx.rest(tk, 'GET', '/api/v1/opportunities?limit=4')
    console.log(r3.statusCode, r3.body)
  }
})
