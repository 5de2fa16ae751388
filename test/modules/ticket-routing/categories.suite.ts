import t from 'tap'
import { CrmError } from '../../../src/errors.js'
import { assertActiveCategory } from '../../../src/modules/tickets/routing/ticket-routing.router.js'
import { forEachDatabase } from '../../helper.js'

const CATEGORY = 'id key name nameEn active version'
const CREATE = `mutation($i: CreateTicketCategoryInput!) { createTicketCategory(input: $i) { category { ${CATEGORY} } userErrors { field code message } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateTicketCategoryInput!) { updateTicketCategory(id: $id, input: $i) { category { ${CATEGORY} } userErrors { field code message } } }`
const LIST = `{ ticketCategories { ${CATEGORY} } }`

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const agent = await ctx.staff('service')
  const manager = await ctx.staff('manager', { teamId: await ctx.createTeam() })
  const rep = await ctx.staff('sales', { teamId: await ctx.createTeam() })

  await t.test('the default categories are listed by key; anyone who may read tickets reads them', async (t) => {
    const list = await ctx.gql(rep.token, LIST)
    t.same(list.data.ticketCategories.map((c: { key: string }) => c.key).filter((k: string) => ['general', 'complaint', 'repair'].includes(k)), ['complaint', 'general', 'repair'])
    t.match(list.data.ticketCategories.find((c: { key: string }) => c.key === 'complaint'), { name: '投诉', nameEn: 'Complaint', active: true })
    const rest = await ctx.rest(manager.token, 'GET', '/api/v1/ticket-categories')
    t.equal(rest.statusCode, 200)
    t.equal(rest.json().data.length, list.data.ticketCategories.length)
  })

  let warranty = ''
  await t.test('a service agent adds a category; its key is a slug unique among live ones', async (t) => {
    const r = await ctx.gql(agent.token, CREATE, { i: { key: 'warranty', name: ' 账单 ', nameEn: 'Billing' } })
    t.same(r.data.createTicketCategory.userErrors, [])
    t.match(r.data.createTicketCategory.category, { key: 'warranty', name: '账单', nameEn: 'Billing', active: true, version: 1 })
    warranty = r.data.createTicketCategory.category.id
    const events = await ctx.sql<{ type: string; data: { category: { key: string } } }>('select type, data from outbox_events where entity_id = $1', [warranty])
    t.match(events, [{ type: 'ticket_category.created', data: { category: { key: 'warranty' } } }])
    t.same(await ctx.sql('select action from audit_entries where entity_id = $1', [warranty]), [{ action: 'ticket_category.created' }])
    const again = await ctx.gql(admin, `mutation { createTicketCategory(input: { key: "warranty", name: "Again" }) { category { id } userErrors { field code } } }`)
    t.match(again.data.createTicketCategory, { category: null, userErrors: [{ field: 'key', code: 'TAKEN' }] })
    const slug = await ctx.gql(admin, CREATE, { i: { key: 'Not a slug', name: 'x' } })
    t.match(slug.data.createTicketCategory.userErrors, [{ field: 'key' }])
    const rest = await ctx.rest(admin, 'POST', '/api/v1/ticket-categories', { key: 'warranty', name: 'REST again' })
    t.equal(rest.statusCode, 409)
    t.match(rest.json(), { errors: [{ field: 'key', code: 'TAKEN' }] })
    const restSlug = await ctx.rest(admin, 'POST', '/api/v1/ticket-categories', { key: '-bad-', name: 'x' })
    t.equal(restSlug.statusCode, 400)
    const ok = await ctx.rest(admin, 'POST', '/api/v1/ticket-categories', { key: 'after-sales_2', name: '售后' })
    t.equal(ok.statusCode, 201)
  })

  await t.test('a manager or sales rep may not change categories', async (t) => {
    t.equal((await ctx.gql(manager.token, CREATE, { i: { key: 'nope', name: 'x' } })).errors?.[0].extensions?.code, 'FORBIDDEN')
    t.equal((await ctx.rest(rep.token, 'PATCH', `/api/v1/ticket-categories/${warranty}`, { name: 'x' })).statusCode, 403)
  })

  await t.test('rename and deactivate; the key cannot change; assertActiveCategory names the field and the allowed keys', async (t) => {
    await assertActiveCategory(ctx.app.db, 'warranty')
    const renamed = await ctx.gql(agent.token, UPDATE, { id: warranty, i: { name: '账单问题', expectedVersion: 1 } })
    t.match(renamed.data.updateTicketCategory.category, { key: 'warranty', name: '账单问题', version: 2 })
    const stale = await ctx.gql(agent.token, UPDATE, { id: warranty, i: { active: false, expectedVersion: 1 } })
    t.match(stale.data.updateTicketCategory.userErrors, [{ code: 'STALE_VERSION' }])
    const off = await ctx.rest(agent.token, 'PATCH', `/api/v1/ticket-categories/${warranty}`, { active: false }, { 'if-match': '"2"' })
    t.equal(off.statusCode, 200)
    t.match(off.json(), { active: false, version: 3 })
    const events = await ctx.sql<{ type: string; data: Record<string, unknown> }>('select type, data from outbox_events where entity_id = $1 order by id', [warranty])
    t.match(events.at(-1), { type: 'ticket_category.updated', data: { key: 'warranty', changes: { active: { from: true, to: false } } } })
    const key = await ctx.gql(agent.token, 'mutation($id: ID!) { updateTicketCategory(id: $id, input: { key: "other" }) { userErrors { code } } }', { id: warranty })
    t.ok(key.errors?.length, 'key is not an input field')
    const keyRest = await ctx.rest(agent.token, 'PATCH', `/api/v1/ticket-categories/${warranty}`, { key: 'other' })
    t.equal(keyRest.statusCode, 400)
    const err = await assertActiveCategory(ctx.app.db, 'warranty').then(() => null, (e: unknown) => e)
    t.ok(err instanceof CrmError)
    t.match((err as CrmError).fieldErrors, [{ field: 'category', code: 'UNKNOWN_CATEGORY', message: /^is not an active ticket category \(allowed: .*complaint.*\)$/ }])
    t.notMatch((err as CrmError).fieldErrors[0].message, /warranty/)
    const list = await ctx.gql(rep.token, LIST)
    t.match(list.data.ticketCategories.find((c: { key: string }) => c.key === 'warranty'), { active: false }, 'an inactive category is still listed')
    t.equal((await ctx.rest(agent.token, 'PATCH', '/api/v1/ticket-categories/01900000-0000-7000-8000-000000000000', { name: 'x' })).statusCode, 404)
  })
})
