import t from 'tap'
import { forEachDatabase } from '../helper.js'

/**
 * Found by the model test (seed 11, privacy commands weighted up; issue 20): a merge into an
 * erased customer fills the survivor's gaps from the merged record (ownership.merge.ts absorb):
 * phone, email, externalId. The erased person's history (orders, points) is then attached to
 * a record with their contact data and a usable externalId again, a way back the upsert
 * refuses (docs/privacy.md, "No resurrection"). The checks are todo until the lead decides: refuse a
 * merge into an erased record, or document that the merge makes it the person's again.
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
    const merged = await ctx.rest(ctx.adminToken, 'POST', `/api/v1/customers/${erased}/merge`, { mergedIds: [fresh] })
    if (merged.statusCode >= 400) { t.pass(`the merge into an erased customer is refused (${merged.statusCode})`); return }
    const [row] = await ctx.sql<{ phone_idx: string | null; external_id: string | null }>('select phone_idx, external_id from customers where id = $1', [erased])
    // Assertion-level todo: fails today (both hold the merged record's values), kept visible without turning the suite red.
    const todo = 'finding: a merge refills an erased customer (ownership.merge.ts absorb)'
    t.equal(row.phone_idx, null, 'the erased survivor holds no phone index', { todo })
    t.equal(row.external_id, null, 'the erased survivor holds no externalId', { todo })
  })
})
