import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { followUpScanJob } from '../../../src/jobs/follow-up-scan.job.js'
import { forEachDatabase, type TestApp } from '../../helper.js'

/**
 * Keeps docs/events.md honest. A realistic scenario drives the public API (GraphQL, plus the
 * follow-up scan job for lead.sla_breached), then reads the outbox and checks that every
 * event type it produced is documented, with the documented data keys (top level and the
 * keys of each nested record), and that every `changes` map is `{ field: { from, to } }`.
 *
 * WRITE_EVENT_EXAMPLES=1 (or =<path>) also writes every observed envelope, with its shape, to
 * <tmpdir>/event-examples.json (or <path>): the raw material of the catalogue's examples.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url))
const DAY = 86_400_000

type Data = Record<string, unknown>
type Envelope = { type: string; timestamp: string; data: Data }
type Observed = Envelope & { id: string }

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The example bodies of docs/events.md (every ```json block that is an envelope), by event type. */
function documentedExamples(): Map<string, Envelope[]> {
  const path = join(root, 'docs/events.md')
  const md = existsSync(path) ? readFileSync(path, 'utf8') : ''
  const out = new Map<string, Envelope[]>()
  for (const [, text] of md.matchAll(/```json\n([\s\S]*?)```/g)) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (err) {
      throw new Error(`docs/events.md has a json block that does not parse (${(err as Error).message}):\n${text.slice(0, 300)}`)
    }
    if (!isRecord(parsed) || typeof parsed.type !== 'string' || !isRecord(parsed.data)) continue
    const list = out.get(parsed.type) ?? []
    list.push(parsed as Envelope)
    out.set(parsed.type, list)
  }
  return out
}

/** Records keyed by what happened rather than by a fixed field list: the fields changed, the kinds of records moved. */
const MAPS = new Set(['changes', 'moved'])

/**
 * The shape a consumer codes against: the data's top-level keys and, for each key holding a
 * record (other than the MAPS), that record's keys.
 */
function shapeOf(data: Data): string {
  return Object.keys(data).sort().map((k) => {
    const v = data[k]
    return !MAPS.has(k) && isRecord(v) ? `${k}{${Object.keys(v).sort().join(',')}}` : k
  }).join(' ')
}

/** Event types written as literals in src/modules (emit calls, reward transitions, SQL inserts). */
function literalEventTypes(): Set<string> {
  const found = new Set<string>()
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory()) walk(path)
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8')
        for (const re of [/emit\(\{\s*type:\s*'([a-z_]+\.[a-z_]+)'/g, /event:\s*'([a-z_]+\.[a-z_]+)'/g, /crm_uuidv7\(\),\s*'([a-z_]+\.[a-z_]+)'/g]) {
          for (const m of text.matchAll(re)) found.add(m[1])
        }
      }
    }
  }
  walk(join(root, 'src/modules'))
  return found
}

/** The events API.md (section Webhooks) promises integrators. */
const CONTRACT = [
  'customer.created', 'customer.updated', 'customer.merged',
  'referral.submitted', 'referral.consented', 'referral.qualified', 'referral.converted', 'referral.rejected',
  'lead.created', 'lead.assigned', 'lead.converted', 'lead.sla_breached',
  'opportunity.stage_changed', 'opportunity.won', 'opportunity.lost',
  'order.recorded', 'order.refunded',
  'reward.created', 'reward.approved', 'reward.paid', 'reward.reversed',
  'rfm.recomputed'
]

/** The types the scenario below must produce (so a broken step cannot quietly shrink the check). */
const SCENARIO_TYPES = [
  'customer.created', 'customer.updated', 'customer.merged',
  'referrer.created', 'referrer.updated',
  'campaign.created', 'campaign.updated',
  'incentive_rule.created', 'incentive_rule.updated',
  'assignment_rule.created', 'assignment_rule.updated', 'assignment_rule.deleted',
  'follow_up_policy.created', 'follow_up_policy.updated', 'follow_up_policy.deleted',
  'referral.consent_requested', 'referral.consented', 'referral.submitted', 'referral.qualified', 'referral.converted', 'referral.rejected',
  'lead.created', 'lead.updated', 'lead.assigned', 'lead.status_changed', 'lead.converted', 'lead.sla_breached',
  'opportunity.created', 'opportunity.updated', 'opportunity.stage_changed', 'opportunity.won', 'opportunity.lost',
  'order.recorded', 'order.refunded',
  'reward.created', 'reward.approved', 'reward.paid', 'reward.reversed',
  'task.created', 'task.updated', 'task.completed', 'task.cancelled',
  'activity.logged', 'ownership.transferred', 'rfm.recomputed',
  'ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.resolved', 'ticket.comment_added',
  'points.earned', 'points.redeemed', 'points.adjusted', 'points.reversed', 'points.expired',
  'customer.level_changed',
  'coupon.issued', 'coupon.redeemed', 'coupon.voided', 'coupon.restored', 'coupon_batch.completed',
  'consent.granted', 'consent.withdrawn',
  'privacy.erased'
]

const SCORING_CONFIG = JSON.stringify({ referrerTiers: { windowDays: 365, tiers: [{ tier: 'standard', minConversions: 0 }, { tier: 'silver', minConversions: 1 }] } })
const YES = { granted: true, channel: 'sms_link', purpose: 'contact about our products', by: 'self' }
const NO = { ...YES, granted: false }

let kindsRun = 0

await forEachDatabase(t, async (t, ctx) => {
  const firstKind = kindsRun++ === 0

  /** A mutation that must succeed: its payload, or a thrown error naming what went wrong. */
  const ok = async (token: string, query: string, variables: Record<string, unknown>, field: string): Promise<Record<string, any>> => {
    const r = await ctx.gql(token, query, variables)
    const payload = r.data?.[field]
    if (!payload || (Array.isArray(payload.userErrors) && payload.userErrors.length > 0)) throw new Error(`${field} failed: ${JSON.stringify(r)}`)
    return payload
  }

  await t.test('the scenario produces the events, and each is in docs/events.md with its documented shape', async (t) => {
    await scenario(ctx, ok)

    const rows = await ctx.sql<{ id: string; type: string; occurred_at: Date | string; data: Data | string }>(
      'select id::text as id, type, occurred_at, data from outbox_events order by occurred_at, id')
    const observed: Observed[] = rows.map((r) => ({
      id: r.id, type: r.type, timestamp: new Date(r.occurred_at).toISOString(), data: typeof r.data === 'string' ? JSON.parse(r.data) : r.data
    }))
    const produced = new Set(observed.map((e) => e.type))
    t.same(SCENARIO_TYPES.filter((type) => !produced.has(type)), [], 'the scenario produced every type it is meant to')

    if (firstKind && process.env.WRITE_EVENT_EXAMPLES) {
      const path = process.env.WRITE_EVENT_EXAMPLES === '1' ? join(tmpdir(), 'event-examples.json') : process.env.WRITE_EVENT_EXAMPLES
      writeFileSync(path, JSON.stringify(observed.map((e) => ({ ...e, shape: shapeOf(e.data) })), null, 2))
      t.comment(`wrote ${observed.length} observed events to ${path}`)
    }

    const docs = documentedExamples()
    t.same([...produced].filter((type) => !docs.has(type)).sort(), [], 'every event type the scenario produced is documented in docs/events.md')

    const mismatches: string[] = []
    for (const e of observed) {
      const documented = docs.get(e.type)
      if (!documented) continue
      const shape = shapeOf(e.data)
      if (!documented.some((d) => shapeOf(d.data) === shape)) {
        mismatches.push(`${e.type}: observed ${shape}; documented ${documented.map((d) => shapeOf(d.data)).join(' | ')}`)
      }
    }
    t.same([...new Set(mismatches)], [], 'every observed event has the data keys of one documented example of its type')

    const badChanges: string[] = []
    for (const e of observed) {
      if (!e.type.endsWith('.updated') && !('changes' in e.data)) continue
      const changes = e.data.changes
      if (!isRecord(changes) || Object.keys(changes).length === 0) {
        badChanges.push(`${e.type} ${e.id}: changes is ${JSON.stringify(changes)}`)
        continue
      }
      for (const [field, change] of Object.entries(changes)) {
        if (!isRecord(change) || Object.keys(change).sort().join(',') !== 'from,to') badChanges.push(`${e.type} ${e.id}: changes.${field} is ${JSON.stringify(change)}`)
      }
    }
    t.same(badChanges, [], 'every *.updated event (and every event with changes) carries changes: { field: { from, to } }')

    const clear = observed.filter((e) => /1370000\d{4}|1390000\d{4}|(zhao\.liu|xinghe|wu\.shi)@example\.com/.test(JSON.stringify(e.data))).map((e) => e.type)
    t.same(clear, [], 'no clear phone or email of the scenario in any event')
  })

  await t.test('every documented example is a complete envelope, and the catalogue covers the API contract and every literal type in src', async (t) => {
    const docs = documentedExamples()
    const problems: string[] = []
    for (const [type, examples] of docs) {
      for (const e of examples) {
        if (Object.keys(e).sort().join(',') !== 'data,timestamp,type') problems.push(`${type}: the body is not { type, timestamp, data }`)
        if (typeof e.timestamp !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.timestamp)) problems.push(`${type}: timestamp is not ISO 8601 UTC`)
        if (type.endsWith('.updated') && !isRecord(e.data.changes)) problems.push(`${type}: the example shows no changes`)
      }
    }
    t.same(problems, [], `the ${[...docs.values()].flat().length} documented examples are complete envelopes`)
    t.same(CONTRACT.filter((type) => !docs.has(type)), [], 'every event of the API contract is documented')
    const apiMd = join(root, '../shared/API.md')
    if (existsSync(apiMd)) {
      const section = readFileSync(apiMd, 'utf8').split('## Webhooks')[1]?.split('Body:')[0] ?? ''
      const listed = [...section.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((m) => m[1]).filter((type) => type !== 'entity.action')
      t.same(listed.sort(), [...CONTRACT].sort(), 'the contract list here is the one in API.md (section Webhooks)')
    }
    t.same([...literalEventTypes()].filter((type) => !docs.has(type)).sort(), [], 'every event type written as a literal in src/modules is documented')
  })
}, { SCORING_CONFIG })

type Ok = (token: string, query: string, variables: Record<string, unknown>, field: string) => Promise<Record<string, any>>

/** One day in the life of the CRM, through the public API, touching every kind of event. */
async function scenario(ctx: TestApp, ok: Ok): Promise<void> {
  const admin = ctx.adminToken
  const team = await ctx.createTeam('East sales')
  const manager = await ctx.staff('manager', { teamId: team, name: 'Manager Li' })
  const rep = await ctx.staff('sales', { teamId: team, name: 'Rep Wang' })
  const leaver = await ctx.staff('sales', { teamId: team, name: 'Rep Chen' })
  const marketing = await ctx.staff('marketing', { name: 'Marketer Sun' })
  const erp = await ctx.keyToken('integration')

  // Routing configuration: a rule and a policy, changed and removed again.
  const rule = (await ok(manager.token, 'mutation($i: CreateAssignmentRuleInput!) { createAssignmentRule(input: $i) { rule { id version } userErrors { field code message } } }',
    { i: { name: 'Finance to Wang', priority: 50, industries: ['Finance'], assigneeId: rep.userId } }, 'createAssignmentRule')).rule
  await ok(manager.token, 'mutation($id: ID!, $i: UpdateAssignmentRuleInput!) { updateAssignmentRule(id: $id, input: $i) { rule { id } userErrors { field code message } } }',
    { id: rule.id, i: { priority: 20, expectedVersion: rule.version } }, 'updateAssignmentRule')
  await ok(manager.token, 'mutation($id: ID!) { deleteAssignmentRule(id: $id) { deletedId userErrors { field code message } } }', { id: rule.id }, 'deleteAssignmentRule')
  const UPSERT_POLICY = 'mutation($s: String!, $i: FollowUpPolicyInput!) { upsertFollowUpPolicy(source: $s, input: $i) { policy { id version } created userErrors { field code message } } }'
  await ok(manager.token, UPSERT_POLICY, { s: 'expo', i: { firstContactHours: 24 } }, 'upsertFollowUpPolicy')
  await ok(manager.token, UPSERT_POLICY, { s: 'expo', i: { dormantDays: 60, expectedVersion: 1 } }, 'upsertFollowUpPolicy')
  await ok(manager.token, 'mutation { deleteFollowUpPolicy(source: "expo") { deletedId userErrors { field code message } } }', {}, 'deleteFollowUpPolicy')

  // Marketing: a campaign and two incentive rules.
  const campaign = (await ok(marketing.token, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { campaign { id version } userErrors { field code message } } }',
    { i: { name: '秋季推荐有礼', goal: 'referrals', channel: 'wechat', budget: { amount: 5_000_000 } } }, 'createCampaign')).campaign
  await ok(marketing.token, 'mutation($id: ID!, $i: UpdateCampaignInput!) { updateCampaign(id: $id, input: $i) { campaign { id } userErrors { field code message } } }',
    { id: campaign.id, i: { status: 'active', expectedVersion: campaign.version } }, 'updateCampaign')
  const CREATE_RULE = 'mutation($i: CreateIncentiveRuleInput!) { createIncentiveRule(input: $i) { incentiveRule { id version } userErrors { field code message } } }'
  const qualifiedRule = (await ok(marketing.token, CREATE_RULE,
    { i: { name: '推荐合格奖励', trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 5000 } }, 'createIncentiveRule')).incentiveRule
  await ok(marketing.token, CREATE_RULE,
    { i: { name: '首单返现', trigger: 'order_paid', calc: 'fixed', rewardType: 'cash', amount: 1500, approval: 'auto', holdDays: 0 } }, 'createIncentiveRule')
  await ok(marketing.token, 'mutation($id: ID!, $i: UpdateIncentiveRuleInput!) { updateIncentiveRule(id: $id, input: $i) { incentiveRule { id } userErrors { field code message } } }',
    { id: qualifiedRule.id, i: { description: '每个合格推荐 ¥50', expectedVersion: qualifiedRule.version } }, 'updateIncentiveRule')

  // A referrer owned by the rep, then changed.
  const referrer = (await ok(admin, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id code version } userErrors { field code message } } }',
    { i: { kind: 'partner', name: '星河渠道', phone: '13900001001', email: 'xinghe@example.com', ownerId: rep.userId } }, 'createReferrer')).referrer
  await ok(admin, 'mutation($id: ID!, $i: UpdateReferrerInput!) { updateReferrer(id: $id, input: $i) { referrer { id } userErrors { field code message } } }',
    { id: referrer.id, i: { company: '星河科技', tags: ['expo-2025'], expectedVersion: referrer.version } }, 'updateReferrer')
  const other = (await ok(admin, 'mutation($i: CreateReferrerInput!) { createReferrer(input: $i) { referrer { id } userErrors { field code message } } }',
    { i: { kind: 'customer', name: '老客户推荐人' } }, 'createReferrer')).referrer

  const SUBMIT = 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id status leadId version } consentToken userErrors { field code message } } }'
  const CONFIRM = 'mutation($t: String!, $i: ReferralConsentInput!) { confirmReferralConsent(token: $t, input: $i) { referral { id status leadId version } userErrors { field code message } } }'
  const refer = async (input: Record<string, unknown>, answer: typeof YES | null = YES) => {
    const s = await ok(admin, SUBMIT, { i: input }, 'submitReferral')
    if (!answer || !s.consentToken) return s.referral
    return (await ok(admin, CONFIRM, { t: s.consentToken, i: answer }, 'confirmReferralConsent')).referral
  }

  // The main referral: consent, lead, first call, qualified, converted with a deal, won.
  const main = await refer({ referrerId: referrer.id, campaignId: campaign.id, name: '赵六', phone: '13700001001', email: 'zhao.liu@example.com', company: '六合科技', note: '想了解年度方案' })
  const leadId: string = main.leadId
  const LEAD_STATUS = 'mutation($id: ID!, $s: LeadStatus!, $r: String) { updateLeadStatus(id: $id, status: $s, reason: $r) { lead { id } userErrors { field code message } } }'
  await ok(rep.token, 'mutation($id: ID!, $i: UpdateLeadInput!) { updateLead(id: $id, input: $i) { lead { id } userErrors { field code message } } }',
    { id: leadId, i: { company: '六合科技有限公司', industry: 'Manufacturing' } }, 'updateLead')
  await ok(rep.token, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { field code message } } }',
    { i: { kind: 'call', leadId, subject: '首次电话沟通', durationSeconds: 300 } }, 'logActivity')
  await ok(rep.token, LEAD_STATUS, { id: leadId, s: 'contacted' }, 'updateLeadStatus')
  await ok(rep.token, LEAD_STATUS, { id: leadId, s: 'qualified' }, 'updateLeadStatus')
  const converted = await ok(rep.token, `mutation($id: ID!, $i: ConvertLeadInput) { convertLead(id: $id, input: $i) {
    customer { id } opportunity { id version } userErrors { field code message } } }`,
  { id: leadId, i: { opportunity: { name: '六合 年度采购', amount: { amount: 12_500_000 } } } }, 'convertLead')
  const referredCustomer: string = converted.customer.id
  const deal: string = converted.opportunity.id
  const MOVE = 'mutation($id: ID!, $s: OpportunityStage!, $r: String) { moveOpportunityStage(id: $id, stage: $s, lostReason: $r) { opportunity { id version } userErrors { field code message } } }'
  await ok(rep.token, MOVE, { id: deal, s: 'proposal' }, 'moveOpportunityStage')
  await ok(rep.token, 'mutation($id: ID!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, input: $i) { opportunity { id } userErrors { field code message } } }',
    { id: deal, i: { expectedCloseDate: '2025-12-31', amount: { amount: 11_800_000 } } }, 'updateOpportunity')
  await ok(rep.token, MOVE, { id: deal, s: 'won' }, 'moveOpportunityStage')

  // Its referral reward: approved by the manager, paid by finance.
  const REWARDS = 'query($r: ID) { rewards(first: 50, filter: { referralId: $r }) { edges { node { id status } } } }'
  const rewardOf = async (referralId: string): Promise<string> =>
    (await ctx.gql(admin, REWARDS, { r: referralId })).data.rewards.edges[0].node.id
  const mainReward = await rewardOf(main.id)
  await ok(manager.token, 'mutation($id: ID!) { approveReward(id: $id) { reward { id } userErrors { field code message } } }', { id: mainReward }, 'approveReward')
  const PAY = 'mutation($id: ID!, $ref: String!) { markRewardPaid(id: $id, payoutReference: $ref) { reward { id } userErrors { field code message } } }'
  await ok(erp, PAY, { id: mainReward, ref: 'WX-PAY-20250901-01' }, 'markRewardPaid')

  // A second referral qualified by hand; its reward is cancelled.
  const second = await refer({ referrerId: referrer.id, name: '钱七', phone: '13700001002' })
  await ok(manager.token, 'mutation($id: ID!) { qualifyReferral(id: $id) { referral { id } userErrors { field code message } } }', { id: second.id }, 'qualifyReferral')
  await ok(manager.token, 'mutation($id: ID!, $r: String!) { cancelReward(id: $id, reason: $r) { reward { id } userErrors { field code message } } }',
    { id: await rewardOf(second.id), r: 'duplicate person' }, 'cancelReward')
  // Rejections: consent declined, a person already a customer, a manager's call.
  await refer({ referrerId: referrer.id, name: '孙八', phone: '13700001003' }, NO)
  await refer({ referrerId: other.id, name: '赵六', phone: '13700001001' }, null)
  const fifth = await refer({ referrerId: referrer.id, name: '周九', phone: '13700001005' })
  await ok(manager.token, 'mutation($id: ID!, $d: String) { rejectReferral(id: $id, reason: invalid, detail: $d) { referral { id } userErrors { field code message } } }',
    { id: fifth.id, d: 'number is unreachable' }, 'rejectReferral')

  // The referred customer orders; the order reward is approved by its rule, paid, then clawed back by refunds.
  const RECORD = 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field code message } } }'
  const order = (await ok(erp, RECORD, { i: { customerId: referredCustomer, externalId: 'ERP-SO-10001', amount: { amount: 200_000 }, note: 'first order' } }, 'recordOrder')).order
  const orderReward = (await ctx.gql(admin, 'query($o: ID) { rewards(first: 5, filter: { orderId: $o }) { edges { node { id } } } }', { o: order.id })).data.rewards.edges[0].node.id
  await ok(erp, PAY, { id: orderReward, ref: 'WX-PAY-20250901-02' }, 'markRewardPaid')
  const REFUND = 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id } userErrors { field code message } } }'
  await ok(erp, REFUND, { i: { orderId: order.id, refundExternalId: 'ERP-RF-1', amount: { amount: 50_000 }, reason: 'damaged' } }, 'refundOrder')
  await ok(erp, REFUND, { i: { orderId: order.id, refundExternalId: 'ERP-RF-2', reason: 'returned' } }, 'refundOrder')

  // Customers: one created, changed, and merged with its duplicate; it orders too.
  const CREATE_CUSTOMER = 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id version } userErrors { field code message } } }'
  const survivor = (await ok(rep.token, CREATE_CUSTOMER, { i: { name: '吴十', company: '十方贸易', tags: ['vip'] } }, 'createCustomer')).customer
  const duplicate = (await ok(rep.token, CREATE_CUSTOMER, { i: { name: '吴十 (重复)', phone: '13700001010', email: 'wu.shi@example.com', region: 'East' } }, 'createCustomer')).customer
  await ok(rep.token, 'mutation($i: LogActivityInput!) { logActivity(input: $i) { activity { id } userErrors { field code message } } }',
    { i: { kind: 'wechat', customerId: duplicate.id, subject: '微信咨询' } }, 'logActivity')
  await ok(rep.token, 'mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } userErrors { field code message } } }',
    { i: { title: '确认重复客户', customerId: duplicate.id } }, 'createTask')
  await ok(rep.token, 'mutation($id: ID!, $i: UpdateCustomerInput!) { updateCustomer(id: $id, input: $i) { customer { id } userErrors { field code message } } }',
    { id: survivor.id, i: { company: '十方贸易有限公司', tags: ['vip', 'east'], expectedVersion: survivor.version } }, 'updateCustomer')
  await ok(manager.token, 'mutation($s: ID!, $m: [ID!]!) { mergeCustomers(survivorId: $s, mergedIds: $m) { mergedIds userErrors { field code message } } }',
    { s: survivor.id, m: [duplicate.id] }, 'mergeCustomers')
  await ok(erp, RECORD, { i: { customerId: survivor.id, externalId: 'ERP-SO-10002', amount: { amount: 88_000 } } }, 'recordOrder')

  // A lost deal of the survivor.
  const lostDeal = (await ok(rep.token, 'mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { opportunity { id } userErrors { field code message } } }',
    { i: { customerId: survivor.id, name: '十方 续约' } }, 'createOpportunity')).opportunity
  await ok(rep.token, MOVE, { id: lostDeal.id, s: 'lost', r: '预算不足' }, 'moveOpportunityStage')

  // A lead from the website, created for one rep and handed to another; it is never called.
  const lead = (await ok(manager.token, 'mutation($i: CreateLeadInput!) { createLead(input: $i) { lead { id } userErrors { field code message } } }',
    { i: { source: 'website', name: '郑十一', phone: '13700001011', company: '十一咨询', ownerId: leaver.userId } }, 'createLead')).lead
  await ok(manager.token, 'mutation($id: ID!, $o: ID, $r: String) { assignLead(id: $id, ownerId: $o, reason: $r) { lead { id } userErrors { field code message } } }',
    { id: lead.id, o: rep.userId, r: 'Chen is on leave' }, 'assignLead')

  // Tasks: one updated and completed, one cancelled.
  const CREATE_TASK = 'mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } userErrors { field code message } } }'
  const call = (await ok(rep.token, CREATE_TASK, { i: { title: '回访吴十', customerId: survivor.id, dueAt: new Date(Date.now() + DAY).toISOString() } }, 'createTask')).task
  await ok(rep.token, 'mutation($id: ID!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { task { id } userErrors { field code message } } }',
    { id: call.id, i: { priority: 'high' } }, 'updateTask')
  await ok(rep.token, 'mutation($id: ID!, $n: String) { completeTask(id: $id, note: $n) { task { id } userErrors { field code message } } }', { id: call.id, n: '已回访' }, 'completeTask')
  const visit = (await ok(rep.token, CREATE_TASK, { i: { title: '上门拜访', leadId: lead.id } }, 'createTask')).task
  await ok(rep.token, 'mutation($id: ID!) { cancelTask(id: $id) { task { id } userErrors { field code message } } }', { id: visit.id }, 'cancelTask')

  // A departing rep's book moves to a colleague.
  await ok(leaver.token, CREATE_CUSTOMER, { i: { name: '陈的客户' } }, 'createCustomer')
  await ok(manager.token, 'mutation($i: TransferOwnershipInput!) { transferOwnership(input: $i) { transferred { customers } userErrors { field code message } } }',
    { i: { fromUserId: leaver.userId, toUserId: rep.userId } }, 'transferOwnership')

  // A service request: opened by the ERP, raised in priority, answered, worked and resolved.
  const agent = await ctx.staff('service', { name: 'Agent Zhao' })
  const ticket = (await ok(erp, 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } trackingToken userErrors { field code message } } }',
    { i: { customerId: survivor.id, channel: 'wechat', category: 'repair', subject: '空调不制冷', assigneeId: agent.userId, externalId: 'ERP-SR-3001' } }, 'createTicket')).ticket
  await ok(agent.token, 'mutation($id: ID!, $i: UpdateTicketInput!) { updateTicket(id: $id, input: $i) { ticket { id } userErrors { field code message } } }',
    { id: ticket.id, i: { priority: 'high' } }, 'updateTicket')
  await ok(agent.token, 'mutation($id: ID!, $i: AddTicketCommentInput!) { addTicketComment(ticketId: $id, input: $i) { comment { id } userErrors { field code message } } }',
    { id: ticket.id, i: { visibility: 'public', body: '师傅明天上午上门' } }, 'addTicketComment')
  const TICKET_STATUS = 'mutation($id: ID!, $i: ChangeTicketStatusInput!) { changeTicketStatus(id: $id, input: $i) { ticket { id } userErrors { field code message } } }'
  await ok(agent.token, TICKET_STATUS, { id: ticket.id, i: { status: 'in_progress' } }, 'changeTicketStatus')
  await ok(agent.token, TICKET_STATUS, { id: ticket.id, i: { status: 'resolved', note: '更换了电容' } }, 'changeTicketStatus')

  // Loyalty: an earning rule and a member level, a paid order that earns points and reaches
  // the level, a redemption at the till, a goodwill correction, a partial refund that takes
  // points back and returns redeemed ones, and, fourteen months on, the expiry run and the
  // level review that moves the customer back down.
  await ok(admin, 'mutation($i: CreatePointsEarningRuleInput!) { createPointsEarningRule(input: $i) { rule { id } userErrors { field code message } } }',
    { i: { name: '每消费1元积1分', kind: 'base', points: 1, unitAmount: 100 } }, 'createPointsEarningRule')
  await ok(marketing.token, 'mutation($i: CreateMemberLevelInput!) { createMemberLevel(input: $i) { level { id } userErrors { field code message } } }',
    { i: { key: 'silver', nameZh: '白银会员', nameEn: 'Silver', rank: 10, minSpend: 150_000, minPoints: 3000, pointsMultiplierBp: 12000, discountBp: 300 } }, 'createMemberLevel')
  const pointsOrder = (await ok(erp, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { customerId: survivor.id, amount: { amount: 120_000, currency: 'CNY' }, externalId: 'ERP-SO-7001' } }, 'recordOrder')).order
  await ok(erp, 'mutation($i: RedeemPointsInput!) { redeemPoints(input: $i) { redemption { id } userErrors { field code message } } }',
    { i: { customerId: survivor.id, amount: 200, orderExternalId: 'ERP-SO-7001', externalId: 'POS-RDM-1' } }, 'redeemPoints')
  await ok(agent.token, 'mutation($i: AdjustPointsInput!) { adjustPoints(input: $i) { entry { id } userErrors { field code message } } }',
    { i: { customerId: survivor.id, amount: -50, reason: '重复积分更正' } }, 'adjustPoints')
  await ok(erp, 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { orderId: pointsOrder.id, amount: { amount: 60_000, currency: 'CNY' }, refundExternalId: 'ERP-RF-7001' } }, 'refundOrder')
  await ctx.app.services.points.expireDue(new Date(Date.now() + 430 * DAY))
  await ctx.app.services.levels.reviewDue(new Date(Date.now() + 430 * DAY))

  // Coupons: a template, a coupon issued to the customer and used at the till on an order
  // that is then refunded in full (the coupon comes back), another voided, and a batch of
  // unassigned codes for a street campaign.
  const couponTemplate = (await ok(marketing.token, 'mutation($i: CreateCouponTemplateInput!) { createCouponTemplate(input: $i) { template { id } userErrors { field code message } } }',
    { i: { name: '满100减20', kind: 'amount_off', amountOff: 2000, minOrderAmount: 10_000, validDays: 30 } }, 'createCouponTemplate')).template
  const ISSUE_COUPON = 'mutation($i: IssueCouponInput!) { issueCoupon(input: $i) { coupon { id code } userErrors { field code message } } }'
  const coupon = (await ok(erp, ISSUE_COUPON, { i: { templateId: couponTemplate.id, customerId: survivor.id } }, 'issueCoupon')).coupon
  const couponOrder = (await ok(erp, 'mutation($i: RecordOrderInput!) { recordOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { customerId: survivor.id, amount: { amount: 15_000, currency: 'CNY' }, externalId: 'ERP-SO-7002' } }, 'recordOrder')).order
  await ok(erp, 'mutation($i: RedeemCouponInput!) { redeemCoupon(input: $i) { redemption { id } userErrors { field code message } } }',
    { i: { code: coupon.code, customerId: survivor.id, orderAmount: { amount: 15_000 }, orderExternalId: 'ERP-SO-7002' } }, 'redeemCoupon')
  await ok(erp, 'mutation($i: RefundOrderInput!) { refundOrder(input: $i) { order { id } userErrors { field code message } } }',
    { i: { orderId: couponOrder.id, refundExternalId: 'ERP-RF-7002' } }, 'refundOrder')
  const spare = (await ok(erp, ISSUE_COUPON, { i: { templateId: couponTemplate.id, customerId: survivor.id } }, 'issueCoupon')).coupon
  await ok(agent.token, 'mutation($id: ID!, $r: String!) { voidCoupon(id: $id, reason: $r) { coupon { id } userErrors { field code message } } }', { id: spare.id, r: '重复发放' }, 'voidCoupon')
  await ok(marketing.token, 'mutation($i: IssueCouponsInput!) { issueCoupons(input: $i) { batch { id } userErrors { field code message } } }',
    { i: { templateId: couponTemplate.id, quantity: 3 } }, 'issueCoupons')

  // Consents: the customer agrees to marketing by SMS on a form, then withdraws it through staff.
  const CONSENT = 'consent { id } userErrors { field code message }'
  await ok(erp, `mutation($i: RecordConsentInput!) { recordConsent(input: $i) { ${CONSENT} } }`,
    { i: { customerId: survivor.id, purpose: 'marketing', channel: 'sms', source: 'form', textVersion: 'marketing-2025-01' } }, 'recordConsent')
  await ok(agent.token, `mutation($i: WithdrawConsentInput!) { withdrawConsent(input: $i) { ${CONSENT} } }`,
    { i: { customerId: survivor.id, purpose: 'marketing', note: '客户来电要求不再接收营销短信' } }, 'withdrawConsent')

  // Four days later the uncalled lead breaches its first-contact SLA; scoring runs.
  await followUpScanJob.run(ctx.app.services, new Date(Date.now() + 4 * DAY))
  await ok(admin, 'mutation($i: RecomputeRfmInput) { recomputeRfm(input: $i) { run { id } userErrors { field code message } } }', { i: { mode: 'REBUILD' } }, 'recomputeRfm')

  // At last a person asks to be forgotten (PIPL art. 47): the website lead's data is erased.
  await ok(admin, 'mutation($i: ErasePersonalDataInput!) { erasePersonalData(input: $i) { erasure { id } userErrors { field code message } } }',
    { i: { subject: { phone: '13700001011' }, reason: 'PIPL art. 47 request' } }, 'erasePersonalData')
}
