import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { exportLines, importBody } from '../bulk/import-support.js'
import { idNumberCheckChar } from '../../../src/rules/id-number.js'

/** A valid 身份证号 with the given sequence (its check character computed). */
const idOf = (seq: number) => {
  const first17 = `44030519850615${String(seq).padStart(3, '0')}`
  return first17 + idNumberCheckChar(first17)
}
const mask = (id: string) => `${id.slice(0, 3)}***********${id.slice(-4)}`
const EXAMPLE = '11010519491231002X'

const CREATE = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id idNumber } userErrors { field code message } } }'

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken

  await t.test('a customer takes an ID number: normalised, sealed, indexed, masked; both APIs', async (t) => {
    const gql = await ctx.gql(admin, CREATE, { i: { name: 'ID via GraphQL', idNumber: EXAMPLE.toLowerCase() } })
    t.match(gql.data.createCustomer, { customer: { idNumber: EXAMPLE }, userErrors: [] }, 'lower-case x normalised')
    const id = gql.data.createCustomer.customer.id
    const [row] = await ctx.sql<Record<string, string>>('select id_number_enc, id_number_idx, id_number_masked from customers where id = $1', [id])
    t.match(row.id_number_enc, /^v2\./, 'sealed')
    t.notOk(JSON.stringify(row).includes('19491231'), 'no clear copy')
    t.equal(row.id_number_masked, '110***********002X')
    const inline = await ctx.gql(admin, `mutation { createCustomer(input: { name: "ID inline", idNumber: "${idOf(1)}" }) { customer { idNumber } userErrors { code } } }`)
    t.equal(inline.data.createCustomer.customer.idNumber, idOf(1), 'inline argument')
    const rest = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'ID via REST', idNumber: idOf(2) })
    t.equal(rest.statusCode, 201)
    t.equal(rest.json().idNumber, idOf(2))
    const cleared = await ctx.rest(admin, 'PATCH', `/api/v1/customers/${rest.json().id}`, { idNumber: null })
    t.equal(cleared.json().idNumber, null, 'null clears it')
    const [gone] = await ctx.sql<Record<string, string | null>>('select id_number_enc, id_number_idx, id_number_masked from customers where id = $1', [rest.json().id])
    t.strictSame(gone, { id_number_enc: null, id_number_idx: null, id_number_masked: null })
    const audits = await ctx.sql<{ changes: unknown }>("select changes from audit_entries where entity_id = $1", [id])
    t.notOk(JSON.stringify(audits).includes(EXAMPLE), 'the audit trail holds the mask only')
    t.ok(JSON.stringify(audits).includes('110***********002X'))
  })

  await t.test('a bad ID number is a typed field error on both APIs, and nothing is written', async (t) => {
    const wrongCheck = EXAMPLE.slice(0, 17) + '1'
    for (const bad of [wrongCheck, '110105194902300021', '1101051949', 'x'.repeat(40), '1101051949123100２X']) {
      const before = (await ctx.sql<{ n: number }>('select count(*)::int as n from customers'))[0].n
      const g = await ctx.gql(admin, CREATE, { i: { name: 'Bad', idNumber: bad } })
      t.equal(g.data.createCustomer.customer, null, bad)
      t.equal(g.data.createCustomer.userErrors[0].field, 'idNumber', bad)
      const r = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Bad', idNumber: bad })
      t.equal(r.statusCode, 400, bad)
      t.equal(r.json().errors[0].field, 'idNumber', bad)
      t.equal((await ctx.sql<{ n: number }>('select count(*)::int as n from customers'))[0].n, before, 'nothing written')
    }
    const huge = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Huge', idNumber: '1'.repeat(100_000) })
    t.equal(huge.statusCode, 400)
    const zh = await ctx.rest(admin, 'POST', '/api/v1/customers', { name: 'Bad', idNumber: wrongCheck }, { 'accept-language': 'zh-CN' })
    t.match(zh.json().errors[0].message, /校验码错误/)
  })

  await t.test('every role sees the ID number clear or masked, as it sees phones; search by ID number', async (t) => {
    const team = await ctx.createTeam()
    const manager = await ctx.staff('manager', { teamId: team })
    const sales = await ctx.staff('sales', { teamId: team })
    const marketing = await ctx.staff('marketing', { teamId: team })
    const service = await ctx.staff('service', { teamId: team })
    const integration = await ctx.keyToken('integration')
    const idn = idOf(7)
    const c = (await ctx.rest(sales.token, 'POST', '/api/v1/customers', { name: 'Role view', idNumber: idn, phone: '13887650007' })).json()
    const r = (await ctx.rest(admin, 'POST', '/api/v1/referrers', { name: 'Role referrer', kind: 'partner', idNumber: idn, ownerId: sales.userId })).json()
    t.equal(r.idNumber, idn)
    const referrerToken = (await ctx.rest(admin, 'POST', '/api/v1/auth/referrer-token', { referrerId: r.id })).json().accessToken
    const views: [string, string, boolean][] = [
      ['admin', admin, true], ['manager', manager.token, true], ['sales', sales.token, true], ['service', service.token, true],
      ['integration', integration, true], ['marketing', marketing.token, false]
    ]
    for (const [role, token, clear] of views) {
      const want = clear ? idn : mask(idn)
      t.equal((await ctx.rest(token, 'GET', `/api/v1/customers/${c.id}`)).json().idNumber, want, `${role}: REST customer`)
      const g = await ctx.gql(token, 'query($id: ID!) { customer(id: $id) { idNumber } referrer(id: $id) { id } }', { id: c.id })
      t.equal(g.data.customer.idNumber, want, `${role}: GraphQL customer`)
      const list = await ctx.gql(token, '{ customers(first: 50) { edges { node { id idNumber } } } }')
      t.equal(list.data.customers.edges.find((e: { node: { id: string } }) => e.node.id === c.id)?.node.idNumber, want, `${role}: GraphQL list`)
      t.equal((await ctx.rest(token, 'GET', `/api/v1/referrers/${r.id}`)).json().idNumber, want, `${role}: REST referrer`)
      const gr = await ctx.gql(token, `{ referrer(id: "${r.id}") { idNumber } }`)
      t.equal(gr.data.referrer.idNumber, want, `${role}: GraphQL referrer`)
      if (clear) {
        const found = await ctx.gql(token, 'query($s: String) { customers(filter: { search: $s }) { edges { node { id } } } }', { s: idn.toLowerCase() })
        t.strictSame(found.data.customers.edges.map((e: { node: { id: string } }) => e.node.id), [c.id], `${role}: search by ID number`)
        const rs = (await ctx.rest(token, 'GET', `/api/v1/referrers?search=${idn}`)).json()
        t.ok(rs.data.some((x: { id: string }) => x.id === r.id), `${role}: REST referrer search by ID number`)
      }
    }
    const self = await ctx.rest(referrerToken, 'GET', `/api/v1/referrers/${r.id}`)
    t.equal(self.json().idNumber, mask(idn), 'a referrer token sees its own ID number masked')
    const seen = await ctx.gql(referrerToken, `{ customer(id: "${c.id}") { idNumber } }`)
    t.notOk(seen.data?.customer, 'a referrer reads no customer')
  })

  await t.test('imports take an idNumber column; exports carry it (masked for marketing)', async (t) => {
    const idn = idOf(21)
    const csv = `externalId,name,idNumber\nIDN-1,Imported,${idn.toLowerCase()}\nIDN-2,Bad,${idn.slice(0, 17)}0\n`
    const res = await importBody(ctx, admin, 'customers', csv)
    t.match(res.body, { created: 1 })
    t.match(JSON.stringify(res.body), /idNumber/, 'the bad row is reported on its field')
    const refs = await importBody(ctx, admin, 'referrers', `externalId,kind,name,idNumber\nIDR-1,partner,Imported ref,${idn}\n`)
    t.match(refs.body, { created: 1 })
    const [row] = await ctx.sql<{ id_number_masked: string; id_number_idx: string }>("select id_number_masked, id_number_idx from customers where external_id = 'IDN-1'")
    t.equal(row.id_number_masked, mask(idn))
    const found = (await ctx.rest(admin, 'GET', `/api/v1/customers?search=${idn}`)).json()
    t.equal(found.data.length, 1, 'imported numbers are searchable')
    const { lines } = await exportLines(ctx, admin, "customers")
    t.ok(lines.some((l: { externalId: string; idNumber: string }) => l.externalId === 'IDN-1' && l.idNumber === idn), 'export: clear for admin')
    const marketing = await ctx.staff('marketing')
    const { lines: masked } = await exportLines(ctx, marketing.token, "customers")
    t.ok(masked.some((l: { externalId: string; idNumber: string }) => l.externalId === 'IDN-1' && l.idNumber === mask(idn)), 'export: masked for marketing')
  })
})
