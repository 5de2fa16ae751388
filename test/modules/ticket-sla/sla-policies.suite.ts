import t from 'tap'
import { forEachDatabase } from '../../helper.js'

const FIELDS = 'id priority customerTier firstResponseMinutes resolutionMinutes active version'
const LIST = `query { slaPolicies { ${FIELDS} } }`
const CREATE = `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { policy { ${FIELDS} } userErrors { field message code existingId } } }`
const UPDATE = `mutation($id: ID!, $i: UpdateSlaPolicyInput!) { updateSlaPolicy(id: $id, input: $i) { policy { ${FIELDS} } userErrors { field message code } } }`
const DELETE = 'mutation($id: ID!, $v: Int) { deleteSlaPolicy(id: $id, expectedVersion: $v) { deletedId userErrors { code } } }'

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const service = await ctx.staff('service', { teamId: team })
  const manager = await ctx.staff('manager', { teamId: team })
  const sales = await ctx.staff('sales', { teamId: team })
  const integration = await ctx.keyToken('integration')

  await t.test('the four default policies, urgent first', async (t) => {
    const r = await ctx.gql(sales.token, LIST)
    t.same(r.data.slaPolicies.map((p: { priority: string; firstResponseMinutes: number; resolutionMinutes: number }) => [p.priority, p.firstResponseMinutes, p.resolutionMinutes]),
      [['urgent', 30, 240], ['high', 60, 480], ['normal', 240, 1440], ['low', 480, 2880]])
  })

  let tierA = ''
  await t.test('a tier policy beside the tier-less one; a second for the same priority (and tier) is CONFLICT SLA_POLICY_EXISTS', async (t) => {
    const created = await ctx.gql(service.token, CREATE, { i: { priority: 'urgent', customerTier: 'A', firstResponseMinutes: 15, resolutionMinutes: 120 } })
    t.same(created.data.createSlaPolicy.userErrors, [])
    tierA = created.data.createSlaPolicy.policy.id
    t.match(created.data.createSlaPolicy.policy, { priority: 'urgent', customerTier: 'A', active: true, version: 1 })
    const again = await ctx.gql(integration, CREATE, { i: { priority: 'urgent', customerTier: 'A', firstResponseMinutes: 10, resolutionMinutes: 60 } })
    t.match(again.data.createSlaPolicy.userErrors, [{ field: 'customerTier', code: 'SLA_POLICY_EXISTS', existingId: tierA }])
    const inline = await ctx.gql(service.token, 'mutation { createSlaPolicy(input: { priority: high, firstResponseMinutes: 5, resolutionMinutes: 50 }) { policy { id } userErrors { field code existingId } } }')
    t.match(inline.data.createSlaPolicy.userErrors, [{ field: 'priority', code: 'SLA_POLICY_EXISTS', existingId: '01930000-0000-7000-8000-000000000202' }])
    const rest = await ctx.rest(service.token, 'POST', '/api/v1/sla-policies', { priority: 'urgent', customerTier: 'A', firstResponseMinutes: 10, resolutionMinutes: 60 })
    t.equal(rest.statusCode, 409)
    t.match(rest.json(), { code: 'CRM_ERR_CONFLICT', errors: [{ code: 'SLA_POLICY_EXISTS' }] })
    const audit = await ctx.sql<{ n: number }>("select count(*)::int as n from audit_entries where action = 'sla_policy.created'")
    t.equal(audit[0].n, 1, 'refused writes leave no trace')
  })

  await t.test('bad input is a userError / 400, never a 500', async (t) => {
    const zero = await ctx.gql(service.token, CREATE, { i: { priority: 'low', customerTier: 'C', firstResponseMinutes: 0, resolutionMinutes: 10 } })
    t.match(zero.data.createSlaPolicy.userErrors, [{ field: 'firstResponseMinutes' }])
    const enumBad = await ctx.gql(service.token, 'mutation { createSlaPolicy(input: { priority: critical, firstResponseMinutes: 5, resolutionMinutes: 50 }) { policy { id } } }')
    t.equal(enumBad.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    const rest = await ctx.rest(service.token, 'POST', '/api/v1/sla-policies', { priority: 'low', firstResponseMinutes: 'soon', resolutionMinutes: 10 })
    t.equal(rest.statusCode, 400)
    const missing = await ctx.rest(service.token, 'PATCH', '/api/v1/sla-policies/01930000-0000-7000-8000-000000000999', { active: false })
    t.equal(missing.statusCode, 404)
    const notUuid = await ctx.gql(service.token, UPDATE, { id: 'nope', i: { active: false } })
    t.equal(notUuid.errors?.[0].extensions?.code, 'NOT_FOUND')
  })

  await t.test('update: versioned; moving onto a taken priority/tier is a conflict; audit and event carry the changes', async (t) => {
    const up = await ctx.gql(service.token, UPDATE, { id: tierA, i: { resolutionMinutes: 180, expectedVersion: 1 } })
    t.match(up.data.updateSlaPolicy.policy, { resolutionMinutes: 180, version: 2 })
    const stale = await ctx.gql(service.token, UPDATE, { id: tierA, i: { resolutionMinutes: 200, expectedVersion: 1 } })
    t.match(stale.data.updateSlaPolicy.userErrors, [{ code: 'STALE_VERSION' }])
    const clash = await ctx.gql(service.token, UPDATE, { id: tierA, i: { customerTier: null } })
    t.match(clash.data.updateSlaPolicy.userErrors, [{ field: 'priority', code: 'SLA_POLICY_EXISTS' }])
    const move = await ctx.rest(integration, 'PATCH', `/api/v1/sla-policies/${tierA}`, { customerTier: 'B' }, { 'if-match': '"2"' })
    t.equal(move.statusCode, 200)
    t.equal(move.json().customerTier, 'B')
    const ev = await ctx.sql<{ data: { changes: Record<string, unknown> } }>("select data from outbox_events where type = 'sla_policy.updated' order by occurred_at, id")
    t.same(ev.map((e) => Object.keys(e.data.changes)), [['resolutionMinutes'], ['customerTier']])
  })

  await t.test('delete: soft; the slot is free again; only write-all roles change policies', async (t) => {
    for (const token of [manager.token, sales.token]) {
      t.equal((await ctx.gql(token, DELETE, { id: tierA })).errors?.[0].extensions?.code, 'FORBIDDEN')
      t.equal((await ctx.rest(token, 'POST', '/api/v1/sla-policies', { priority: 'low', firstResponseMinutes: 1, resolutionMinutes: 1 })).statusCode, 403)
      t.equal((await ctx.gql(token, LIST)).data.slaPolicies.length, 5, 'but they read them')
    }
    const del = await ctx.gql(service.token, DELETE, { id: tierA, v: 3 })
    t.same(del.data.deleteSlaPolicy, { deletedId: tierA, userErrors: [] })
    t.equal((await ctx.rest(service.token, 'GET', `/api/v1/sla-policies/${tierA}`)).statusCode, 404)
    const reuse = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/sla-policies', { priority: 'urgent', customerTier: 'B', firstResponseMinutes: 20, resolutionMinutes: 200 })
    t.equal(reuse.statusCode, 201)
    t.equal((await ctx.rest(ctx.adminToken, 'DELETE', `/api/v1/sla-policies/${reuse.json().id}`)).statusCode, 204)
    const ev = await ctx.sql<{ n: number }>("select count(*)::int as n from outbox_events where type = 'sla_policy.deleted'")
    t.equal(ev[0].n, 2)
  })

  await t.test('two creates of one priority and tier at once: exactly one wins, the other is a typed conflict', async (t) => {
    const input = { priority: 'normal', customerTier: 'A', firstResponseMinutes: 100, resolutionMinutes: 1000 }
    const [a, b] = await Promise.all([ctx.gql(service.token, CREATE, { i: input }), ctx.gql(integration, CREATE, { i: input })])
    const outcomes = [a, b].map((r) => r.data.createSlaPolicy.policy ? 'created' : r.data.createSlaPolicy.userErrors[0].code).sort()
    t.same(outcomes, ['SLA_POLICY_EXISTS', 'created'])
  })
})
