import t from 'tap'
import { forEachDatabase } from '../helper.js'

/**
 * Found by the model test (seed 11, privacy commands weighted up; issue 20): a merge into an
 * erased customer fills the survivor's gaps from the merged record (ownership.merge.ts absorb):
 * phone, email, externalId. The erased person's history (orders, points) is then attached to
 * a record with their contact data and a usable externalId again, a way back the upsert
 * refuses (docs/privacy.md, "No resurrection"). Now an erased customer takes no merge, either way.
 */
t.test('a merge into an erased survivor does not give it contact data again', async (t) => {
  await forEachDatabase(t, async (t, ctx) => {
    const put = async (ext: string, phone: string) => {
      const res = await ctx.rest(ctx.adminToken, 'PUT', `/api/v1/customers/by-external-id/${ext}`, { name: `客户 ${ext}`, phone })
      t.equal(res.statusCode, 201, res.body)
      return res.json().id as string
    }
    const erased = await put('EM-1', '13900007001')
    const fresh = await put('EM-2', '13900007002')
    const gone = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/privacy/erasures', { subject: { customerId: erased }, reason: 'PIPL art. 47 request' })
    t.equal(gone.statusCode, 201, gone.body)
    for (const [survivor, merged] of [[erased, fresh], [fresh, erased]]) {
      const rest = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/customers/${survivor}/merge`, { mergedIds: [merged] })
      t.match({ status: rest.statusCode, body: rest.json() }, { status: 422, body: { errors: [{ code: 'ERASED' }] } }, `REST: a merge ${survivor === erased ? 'into' : 'of'} an erased customer is refused`)
      const gql = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { mergedIds userErrors { field code } } }', { s: survivor, m: [merged] })
      t.match(gql.data.mergeCustomers.userErrors, [{ code: 'ERASED', field: survivor === erased ? 'survivorId' : 'mergedIds' }], 'GraphQL: the same refusal, as a userError')
    }
    const [row] = await ctx.sql<{ phone_idx: string | null; external_id: string | null; erased_at: Date | null }>('select phone_idx, external_id, erased_at from customers where id = $1', [erased])
    t.equal(row.phone_idx, null, 'the erased customer holds no phone index')
    t.equal(row.external_id, null, 'the erased customer holds no externalId')
    t.ok(row.erased_at, 'and is marked erased')
    const [other] = await ctx.sql<{ merged_into_id: string | null }>('select merged_into_id from customers where id = $1', [fresh])
    t.equal(other.merged_into_id, null, 'the other customer was not merged')
  })
})
