import t from 'tap'
import { forEachDatabase, type TestApp } from '../../helper.js'

const SUBMIT = `mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status leadId } userErrors { field code message } } }`
const LEAD = `query($id: ID!) { lead(id: $id) { id source referralId status owner { id } assignedAt firstContactDueAt nextFollowUpAt attributes
  history { kind toOwner { id } reason actor { id } } } }`
const RULE = 'mutation($i: CreateAssignmentRuleInput!) { createAssignmentRule(input: $i) { rule { id } userErrors { code message } } }'
const PREVIEW = `query($i: LeadAssignmentPreviewInput!) { previewLeadAssignment(input: $i) { owner { id } via reason explanation rule { name } rules { name matched why } } }`

let phoneSeq = 0
const nextPhone = () => `1390000${String(++phoneSeq).padStart(4, '0')}`

/** Submits a referral (consent off in this suite) and returns its lead as admin sees it. */
async function referLead(ctx: TestApp, token: string, referrerId: string, extra: Record<string, unknown> = {}) {
  const r = await ctx.gql(token, SUBMIT, { i: { referrerId, name: `Person ${phoneSeq}`, phone: nextPhone(), ...extra } })
  const referral = r.data?.submitReferral?.referral
  if (!referral?.leadId) throw new Error(`no lead: ${JSON.stringify(r)}`)
  return (await ctx.gql(ctx.adminToken, LEAD, { id: referral.leadId })).data.lead
}

await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North sales')
  const south = await ctx.createTeam('South sales')
  const northManager = await ctx.staff('manager', { teamId: north, name: 'North manager' })
  const amy = await ctx.staff('sales', { teamId: north, name: 'Amy' })
  const ben = await ctx.staff('sales', { teamId: north, name: 'Ben' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const dan = await ctx.staff('sales', { teamId: south, name: 'Dan' })
  const referrer = async (ownerId: string | null) => {
    const r = await ctx.gql(ctx.adminToken, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { code } } }',
      { i: { kind: 'customer', name: `Referrer ${ownerId ?? 'unowned'}`, ownerId } })
    return r.data.createReferrer.referrer.id as string
  }
  const carolsReferrer = await referrer(carol.userId)
  const unowned = await referrer(null)

  await t.test("with no rule, a referral's lead goes to the referrer's relationship owner, with its follow-up clock", async (t) => {
    const lead = await referLead(ctx, ctx.adminToken, carolsReferrer, { note: 'met at the expo' })
    t.match(lead, { source: 'referral', status: 'new', owner: { id: carol.userId }, attributes: { referralNote: 'met at the expo' } })
    const assigned = Date.parse(lead.assignedAt)
    t.equal(Date.parse(lead.firstContactDueAt) - assigned, 72 * 3600_000, 'first contact due 72 h after assignment')
    t.equal(Date.parse(lead.nextFollowUpAt) - assigned, 7 * 86400_000, 'follow-up 7 days after assignment')
    t.same(lead.history, [
      { kind: 'created', toOwner: { id: carol.userId }, reason: null, actor: null },
      { kind: 'assigned', toOwner: { id: carol.userId }, reason: 'referrer_owner', actor: null }
    ])
    const events = await ctx.sql<{ type: string; data: Record<string, unknown> }>('select type, data from outbox_events where entity_id = $1 order by id', [lead.id])
    t.match(events.map((e) => e.type), ['lead.created', 'lead.assigned'])
    t.match(events[1].data, { toOwnerId: carol.userId, via: 'referrer_owner', reason: 'referrer_owner' })
    t.match(events[0].data, { lead: { phone: /^139\*{4}\d{4}$/ } })
    t.notMatch(JSON.stringify(events), /1390000\d{4}/, 'events carry masked phones only')
  })

  await t.test('the first matching rule wins over the referrer owner; others fall through', async (t) => {
    const rule = await ctx.gql(northManager.token, RULE, { i: { name: 'Finance', priority: 10, industries: ['Finance'], assigneeId: ben.userId } })
    t.same(rule.data.createAssignmentRule.userErrors, [])
    const finance = await referLead(ctx, ctx.adminToken, carolsReferrer, { industry: 'finance' })
    t.equal(finance.owner.id, ben.userId)
    t.equal(finance.history.at(-1).reason, 'rule:Finance')
    const retail = await referLead(ctx, ctx.adminToken, carolsReferrer, { industry: 'Retail' })
    t.equal(retail.owner.id, carol.userId)
    const audit = await ctx.sql<{ changes: Record<string, unknown> }>("select changes from audit_entries where entity_id = $1 and action = 'lead.assigned'", [finance.id])
    t.match(audit[0].changes, { via: 'rule', ruleId: rule.data.createAssignmentRule.rule.id, explanation: /rule "Finance" matched/ })
  })

  await t.test("a rule with a team rotates through that team's reps in turn", async (t) => {
    await ctx.gql(northManager.token, RULE, { i: { name: 'South region', priority: 20, regions: ['South'], teamId: south } })
    const owners = []
    for (let i = 0; i < 4; i++) owners.push((await referLead(ctx, ctx.adminToken, unowned, { region: 'South' })).owner.id)
    t.same(new Set(owners.slice(0, 2)), new Set([carol.userId, dan.userId]), 'each rep once per cycle')
    t.same(owners.slice(2), owners.slice(0, 2), 'then the same order again')
  })

  await t.test("without rule or owner, round-robin within the submitting user's team (sales reps only)", async (t) => {
    const first = await referLead(ctx, northManager.token, unowned)
    const second = await referLead(ctx, northManager.token, unowned)
    t.same(new Set([first.owner.id, second.owner.id]), new Set([amy.userId, ben.userId]))
    t.equal(first.history.at(-1).reason, 'round_robin:team')
    t.equal(first.history[0].actor.id, northManager.userId, 'the submitter created it')
  })

  await t.test('without a team either, the global rotation over every active sales rep', async (t) => {
    const lead = await referLead(ctx, ctx.adminToken, unowned)
    t.ok([amy.userId, ben.userId, carol.userId, dan.userId].includes(lead.owner.id))
    t.equal(lead.history.at(-1).reason, 'round_robin:global')
  })

  await t.test('inactive reps are never chosen', async (t) => {
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { userErrors { code } } }', { id: ben.userId })
    for (let i = 0; i < 3; i++) t.equal((await referLead(ctx, northManager.token, unowned)).owner.id, amy.userId)
    const finance = await referLead(ctx, ctx.adminToken, carolsReferrer, { industry: 'Finance' })
    t.equal(finance.owner.id, carol.userId, "a rule whose user is inactive falls through to the referrer's owner")
    await ctx.gql(ctx.adminToken, 'mutation($id: ID!) { updateUser(id: $id, input: { active: true }) { userErrors { code } } }', { id: ben.userId })
  })

  await t.test('concurrent referrals in one rotation take turns (the rotation row is locked)', async (t) => {
    const leads = await Promise.all(Array.from({ length: 6 }, () => referLead(ctx, ctx.adminToken, unowned, { region: 'South' })))
    const count = (id: string) => leads.filter((l) => l.owner.id === id).length
    t.same([count(carol.userId), count(dan.userId)], [3, 3])
  })

  await t.test('previewLeadAssignment explains the decision and moves nothing', async (t) => {
    const p1 = await ctx.gql(northManager.token, PREVIEW, { i: { source: 'referral', region: 'South' } })
    const p2 = await ctx.gql(northManager.token, PREVIEW, { i: { source: 'referral', region: 'South' } })
    t.same(p1.data.previewLeadAssignment, p2.data.previewLeadAssignment, 'the rotation did not move')
    t.match(p1.data.previewLeadAssignment, { via: 'rule', reason: 'rule:South region', rule: { name: 'South region' } })
    t.match(p1.data.previewLeadAssignment.rules, [{ name: 'Finance', matched: false, why: /industry is not set/ }, { name: 'South region', matched: true }])
    const real = await referLead(ctx, ctx.adminToken, unowned, { region: 'South' })
    t.equal(real.owner.id, p1.data.previewLeadAssignment.owner.id, 'the next lead goes where the preview said')
    const rest = await ctx.rest(northManager.token, 'POST', '/api/v1/assignment-rules/preview', { source: 'referral', referrerId: carolsReferrer })
    t.equal(rest.statusCode, 200)
    t.match(rest.json(), { ownerId: carol.userId, via: 'referrer_owner', ruleId: null })
    const bad = await ctx.gql(northManager.token, PREVIEW, { i: { source: '' } })
    t.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT')
    t.equal((await ctx.gql(amy.token, PREVIEW, { i: { source: 'x' } })).data.previewLeadAssignment.via, 'round_robin', 'sales may preview')
  })

  await t.test('with no active sales rep anywhere the lead waits in the pool, and its history says why', async (t) => {
    const setActive = (id: string, active: boolean) =>
      ctx.gql(ctx.adminToken, 'mutation($id: ID!, $a: Boolean!) { updateUser(id: $id, input: { active: $a }) { userErrors { code } } }', { id, a: active })
    const reps = [amy, ben, carol, dan].map((u) => u.userId)
    for (const id of reps) await setActive(id, false)
    const lead = await referLead(ctx, ctx.adminToken, unowned)
    for (const id of reps) await setActive(id, true)
    t.equal(lead.owner, null)
    t.equal(lead.assignedAt, null)
    t.equal(lead.firstContactDueAt, null, 'no clock without an owner')
    t.match(lead.history.at(-1), { kind: 'assigned', toOwner: null, reason: 'unassigned' })
    t.same(await ctx.sql("select id from outbox_events where entity_id = $1 and type = 'lead.assigned'", [lead.id]), [])
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
