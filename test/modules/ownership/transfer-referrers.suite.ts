import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

// Issue 15: a hand-over left the departing rep as the relationship owner of their
// referrers, so new referral leads kept routing to someone who had left.
const COUNTS = 'transferred { customers leads opportunities tasks referrers } userErrors { field code }'
const TRANSFER = `mutation($i: TransferOwnershipInput!) { transferOwnership(input: $i) { ${COUNTS} } }`
const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { leadId } userErrors { code message } } }'
const OWNER = 'query($id: ID!) { referrer(id: $id) { owner { id } version } }'

let seq = 0
async function referrer(ctx: TestApp, ownerId: string, status?: string): Promise<string> {
  const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { code } } }',
    { i: { kind: 'partner', name: `渠道 ${++seq}`, ownerId, ...(status ? { status } : {}) } })
  return r.data.createReferrer.referrer.id
}

async function leadOwnerOfNewReferral(ctx: TestApp, referrerId: string): Promise<string | null> {
  const r = await ctx.gql(ctx.adminToken, SUBMIT, { i: { referrerId, name: `被推荐人 ${++seq}`, phone: `1370000${String(seq).padStart(4, '0')}` } })
  const leadId = r.data.submitReferral.referral.leadId
  const lead = await ctx.gql(ctx.adminToken, 'query($id: ID!) { lead(id: $id) { owner { id } } }', { id: leadId })
  return lead.data.lead.owner?.id ?? null
}

await forEachDatabase(t, async (t, ctx) => {
  const team = await ctx.createTeam()
  const otherTeam = await ctx.createTeam()
  const leaving = await ctx.staff('sales', { teamId: team })
  const taking = await ctx.staff('sales', { teamId: team })
  const bystander = await ctx.staff('sales', { teamId: otherTeam })
  const manager = await ctx.staff('manager', { teamId: team })
  const active = await referrer(ctx, leaving.userId)
  const suspended = await referrer(ctx, leaving.userId, 'suspended')
  const deleted = await referrer(ctx, leaving.userId)
  await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { deleteReferrer(id: $id) { userErrors { code } } }', { id: deleted })
  const othersReferrer = await referrer(ctx, bystander.userId)

  await t.test("before the hand-over, referral leads route to the referrer's owner", async (t) => {
    t.equal(await leadOwnerOfNewReferral(ctx, active), leaving.userId)
  })

  await t.test('sales reps may not transfer, within or outside their team', async (t) => {
    for (const token of [taking.token, bystander.token]) {
      const r = await ctx.gql(token, TRANSFER, { i: { fromUserId: leaving.userId, toUserId: taking.userId } })
      t.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN')
    }
    t.equal((await ctx.gql(ctx.adminToken, OWNER, { id: active })).data.referrer.owner.id, leaving.userId, 'nothing moved')
  })

  await t.test("transferOwnership (written inline) moves the rep's live referrers, whatever their status, and says how many", async (t) => {
    const r = await ctx.gql(manager.token, `mutation { transferOwnership(input: { fromUserId: "${leaving.userId}", toUserId: "${taking.userId}" }) { ${COUNTS} } }`)
    t.same(r.data.transferOwnership.userErrors, [])
    t.match(r.data.transferOwnership.transferred, { referrers: 2 })
    t.equal((await ctx.gql(ctx.adminToken, OWNER, { id: active })).data.referrer.owner.id, taking.userId)
    t.equal((await ctx.gql(ctx.adminToken, OWNER, { id: suspended })).data.referrer.owner.id, taking.userId)
    t.equal((await ctx.gql(ctx.adminToken, OWNER, { id: othersReferrer })).data.referrer.owner.id, bystander.userId, "another rep's referrer stays")
    const [gone] = await ctx.sql<{ owner_id: string }>('select owner_id from referrers where id = $1', [deleted])
    t.equal(gone.owner_id, leaving.userId, 'a deleted referrer is history: it stays')

    const audits = await ctx.sql<{ changes: { count: number; ids: string[] } }>(
      "select changes from audit_entries where action = 'ownership.transferred' and entity_type = 'referrer'")
    t.equal(audits.length, 1)
    t.same([...audits[0].changes.ids].sort(), [active, suspended].sort())
    const events = await ctx.sql<{ entity_id: string; data: Record<string, unknown> }>(
      "select entity_id, data from outbox_events where type = 'referrer.updated' and data->>'source' = 'ownership_transfer' order by entity_id")
    t.same(events.map((e) => e.entity_id), [active, suspended].sort())
    const version = (await ctx.gql(ctx.adminToken, OWNER, { id: active })).data.referrer.version
    t.match(events.find((e) => e.entity_id === active)!.data, { id: active, version, changes: { ownerId: { from: leaving.userId, to: taking.userId } } })
    const summary = await ctx.sql<{ data: { counts: Record<string, number> } }>("select data from outbox_events where type = 'ownership.transferred'")
    t.match(summary[0].data.counts, { referrers: 2 })
  })

  await t.test('new referral leads now go to the new owner, also once the departed rep is deactivated', async (t) => {
    t.equal(await leadOwnerOfNewReferral(ctx, active), taking.userId)
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { userErrors { code } } }', { id: leaving.userId })
    t.equal(await leadOwnerOfNewReferral(ctx, active), taking.userId)
  })

  await t.test('over REST with entities: [referrers] only referrers move; as variables the same', async (t) => {
    const again = await referrer(ctx, taking.userId)
    const rest = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/ownership/transfer',
      { fromUserId: taking.userId, toUserId: bystander.userId, entities: ['referrers'] })
    t.equal(rest.statusCode, 200, rest.body)
    t.same(rest.json().transferred, { customers: 0, leads: 0, opportunities: 0, tasks: 0, referrers: 3 })
    t.equal((await ctx.gql(ctx.adminToken, OWNER, { id: again })).data.referrer.owner.id, bystander.userId)
    const back = await ctx.gql(manager.token, TRANSFER, { i: { fromUserId: bystander.userId, toUserId: taking.userId, entities: ['referrers'] } })
    t.same(back.data.transferOwnership.transferred, { customers: 0, leads: 0, opportunities: 0, tasks: 0, referrers: 4 })
    const none = await ctx.gql(manager.token, TRANSFER, { i: { fromUserId: leaving.userId, toUserId: taking.userId, entities: ['referrers'] } })
    t.same(none.data.transferOwnership.transferred.referrers, 0, 'nothing left to move')
    const bad = await ctx.rest(manager.token, 'POST', '/api/v1/ownership/transfer',
      { fromUserId: taking.userId, toUserId: bystander.userId, entities: ['referrers', 'referrers'] })
    t.equal(bad.statusCode, 400)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
