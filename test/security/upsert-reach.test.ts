import t from 'tap'
import { forEachDatabase, type TestApp } from '../helper.js'

/**
 * An upsert whose externalId belongs to a record outside the caller's write reach answers exactly
 * as a create with that taken externalId does: 409, field externalId, TAKEN, no id, no owner; the same
 * for a live, a deleted and a merged record. The only role with team reach over upsertable entities
 * is sales (customers, referrers, leads, opportunities); orders and campaigns are written with
 * reach over all (src/modules/auth/permissions.ts).
 */

type Entity = { path: string; mutation: string; payload: string; entity: string; input: (ctx: TestApp, customerId: string) => Record<string, unknown> }

const ENTITIES: Entity[] = [
  { path: 'customers', mutation: 'upsertCustomer', payload: 'customer', entity: 'customer', input: () => ({ name: 'Taken over' }) },
  { path: 'referrers', mutation: 'upsertReferrer', payload: 'referrer', entity: 'referrer', input: () => ({ kind: 'partner', name: 'Taken over' }) },
  { path: 'leads', mutation: 'upsertLead', payload: 'lead', entity: 'lead', input: () => ({ source: 'web', name: 'Taken over' }) },
  { path: 'opportunities', mutation: 'upsertOpportunity', payload: 'opportunity', entity: 'opportunity', input: (_ctx, customerId) => ({ customerId, name: 'Taken over' }) }
]

/** The REST answer with its request path replaced, so two answers compare byte for byte. */
const comparable = (body: string, externalId: string) => body.split(encodeURIComponent(externalId)).join('{externalId}')

await forEachDatabase(t, async (t, ctx) => {
  const teamA = await ctx.createTeam()
  const teamB = await ctx.createTeam()
  const repA = await ctx.staff('sales', { teamId: teamA })
  const repB = await ctx.staff('sales', { teamId: teamB })
  const put = (token: string, e: Entity, externalId: string, body: unknown) => ctx.rest(token, 'PUT', `/api/v1/${e.path}/by-external-id/${encodeURIComponent(externalId)}`, body)
  const customerOf = async (token: string, externalId: string) => (await put(token, ENTITIES[0], externalId, { name: `Own ${externalId}` })).json().id as string
  const custA = await customerOf(repA.token, 'A-OWN-CUSTOMER')
  const custB = await customerOf(repB.token, 'B-OWN-CUSTOMER')

  for (const e of ENTITIES) {
    await t.test(`${e.path}: another team's record answers as a taken externalId, without its id`, async (t) => {
      const live = `EXT-B2-${e.path}`
      const gone = `EXT-B3-${e.path}`
      const created = await put(repB.token, e, live, { ...e.input(ctx, custB), name: 'Original' })
      t.equal(created.statusCode, 201, created.body)
      const id = created.json().id as string
      const deleted = await put(repB.token, e, gone, e.input(ctx, custB))
      t.equal((await ctx.rest(repB.token, 'DELETE', `/api/v1/${e.path}/${deleted.json().id}`)).statusCode, 204)
      const goneId = deleted.json().id as string

      const res = await put(repA.token, e, live, e.input(ctx, custA))
      t.equal(res.statusCode, 409, res.body)
      t.match(res.headers['content-type'], /problem\+json/)
      t.match(res.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ field: 'externalId', code: 'TAKEN', message: `is already used by another ${e.entity}` }] })
      t.notOk(res.body.includes(id), 'the answer does not name the record')
      t.notOk(/[0-9a-f]{8}-[0-9a-f]{4}-/.test(res.body), 'no id at all')

      // The same bytes for a deleted record of another team, and as a create with the taken externalId.
      const resGone = await put(repA.token, e, gone, e.input(ctx, custA))
      t.notOk(resGone.body.includes(goneId))
      t.equal(comparable(resGone.body, gone), comparable(res.body, live))
      const create = await ctx.rest(repA.token, 'POST', `/api/v1/${e.path}`, { ...e.input(ctx, custA), externalId: live })
      t.equal(create.statusCode, 409, create.body)
      t.same({ ...create.json(), instance: undefined, detail: undefined }, { ...res.json(), instance: undefined, detail: undefined })
      t.equal(create.json().detail, res.json().detail)

      // GraphQL: inline arguments and variables give the same userError, and no id.
      const sel = `{ ${e.payload} { id } userErrors { field message code } }`
      const inline = await ctx.gql(repA.token, `mutation { ${e.mutation}(externalId: "${live}", input: ${gqlLiteral(e.input(ctx, custA))}) ${sel} }`)
      const vars = await ctx.gql(repA.token, `mutation($x: String!, $i: ${inputType(e)}!) { ${e.mutation}(externalId: $x, input: $i) ${sel} }`, { x: live, i: e.input(ctx, custA) })
      for (const r of [inline, vars]) {
        t.equal(r.errors, undefined)
        t.same(r.data[e.mutation], { [e.payload]: null, userErrors: [{ field: 'externalId', message: `is already used by another ${e.entity}`, code: 'TAKEN' }] })
        t.notOk(JSON.stringify(r).includes(id))
      }
      const goneGql = await ctx.gql(repA.token, `mutation($x: String!, $i: ${inputType(e)}!) { ${e.mutation}(externalId: $x, input: $i) ${sel} }`, { x: gone, i: e.input(ctx, custA) })
      t.same(goneGql.data[e.mutation], vars.data[e.mutation])

      // Nothing changed, and the owner's own upsert still works.
      const still = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/${e.path}/${id}`)
      t.equal(still.json().name, 'Original')
      t.equal((await put(repB.token, e, live, { ...e.input(ctx, custB), name: 'Owner edit' })).statusCode, 200)
    })
  }

  await t.test('customers: a record merged into another team\'s customer answers the same, without the survivor id', async (t) => {
    const survivor = await customerOf(repB.token, 'EXT-B4-SURVIVOR')
    const merged = await customerOf(repB.token, 'EXT-B4-MERGED')
    const m = await ctx.gql(ctx.adminToken, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { userErrors { code } } }', { s: survivor, m: [merged] })
    t.same(m.data.mergeCustomers.userErrors, [])
    const res = await put(repA.token, ENTITIES[0], 'EXT-B4-MERGED', { name: 'Taken over' })
    t.equal(res.statusCode, 409)
    t.notOk(res.body.includes(survivor))
    t.notOk(res.body.includes(merged))
    const live = await put(repA.token, ENTITIES[0], 'EXT-B2-customers', { name: 'Taken over' })
    t.equal(comparable(res.body, 'EXT-B4-MERGED'), comparable(live.body, 'EXT-B2-customers'))
  })

  await t.test('within reach the upsert still updates (own team) and still creates (new externalId)', async (t) => {
    const mate = await ctx.staff('sales', { teamId: teamB })
    t.equal((await put(mate.token, ENTITIES[0], 'EXT-B2-customers', { name: 'Team mate edit' })).statusCode, 200)
    t.equal((await put(repA.token, ENTITIES[0], 'EXT-A-NEW', { name: 'New' })).statusCode, 201)
  })
})

function inputType(e: Entity): string {
  return { customers: 'CreateCustomerInput', referrers: 'CreateReferrerInput', leads: 'CreateLeadInput', opportunities: 'CreateOpportunityInput' }[e.path]!
}

/** A GraphQL input literal: enums (kind) unquoted, strings quoted. */
function gqlLiteral(input: Record<string, unknown>): string {
  return `{ ${Object.entries(input).map(([k, v]) => `${k}: ${k === 'kind' ? v : JSON.stringify(v)}`).join(', ')} }`
}
