import { Type, type Static } from '@sinclair/typebox'
import { policyBounds } from '../../rules/follow-up.js'
import { ExpectedVersion, ExternalId, Nullable, optionalAll, StringEnum, Text, Uuid } from '../common/schemas.js'

const List = <T extends ReturnType<typeof Text> | typeof Uuid>(item: T, description: string) =>
  Type.Array(item, { maxItems: 50, uniqueItems: true, description })

/** Fields of an assignment rule a client sets. */
const ruleFields = {
  externalId: Nullable(ExternalId),
  name: Text(200),
  priority: Type.Integer({ minimum: 0, maximum: 100000, description: 'Smaller runs first (default 100); ties: older rule first' }),
  active: Type.Boolean(),
  sources: List(Text(50), 'Lead sources it applies to (empty = all)'),
  industries: List(Text(100), 'Industries it applies to (empty = all)'),
  regions: List(Text(100), 'Regions it applies to (empty = all)'),
  campaignIds: List(Uuid, 'Campaigns it applies to (empty = all)'),
  assigneeId: Nullable(Uuid),
  teamId: Nullable(Uuid)
}

const { name, ...optional } = ruleFields
export const AssignmentRuleCreate = Type.Object({ name, ...optionalAll(optional) }, { additionalProperties: false })
export const AssignmentRuleUpdate = Type.Object({ ...optionalAll(ruleFields), expectedVersion: Type.Optional(ExpectedVersion) }, { additionalProperties: false })
export type AssignmentRuleCreate = Static<typeof AssignmentRuleCreate>
export type AssignmentRuleUpdate = Static<typeof AssignmentRuleUpdate>

const Hours = Type.Integer({ ...policyBounds.firstContactHours, description: 'First contact due this many hours after assignment' })
const FollowUpDays = Type.Integer({ ...policyBounds.followUpDays, description: 'A follow-up task this many days after assignment' })
const DormantDays = Type.Integer({ ...policyBounds.dormantDays, description: 'Dormant after this many days without any activity' })

/** A lead source, or `*` for the default policy. */
export const PolicySource = Type.String({ minLength: 1, maxLength: 50, pattern: '^\\S(.*\\S)?$', description: "A lead source, or '*' for every source without its own policy" })
export const PolicySourceParams = Type.Object({ source: PolicySource }, { additionalProperties: false })

export const FollowUpPolicyInput = Type.Object({
  firstContactHours: Type.Optional(Hours),
  followUpDays: Type.Optional(FollowUpDays),
  dormantDays: Type.Optional(DormantDays),
  active: Type.Optional(Type.Boolean()),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type FollowUpPolicyInput = Static<typeof FollowUpPolicyInput>

export const LeadAssignmentPreviewInput = Type.Object({
  source: Text(50),
  industry: Type.Optional(Nullable(Text(100))),
  region: Type.Optional(Nullable(Text(100))),
  campaignId: Type.Optional(Nullable(Uuid)),
  referrerId: Type.Optional(Nullable(Uuid)),
  /** The submitter's team: round-robin falls back to it. */
  teamId: Type.Optional(Nullable(Uuid))
}, { additionalProperties: false })
export type LeadAssignmentPreviewInput = Static<typeof LeadAssignmentPreviewInput>

const Time = Type.String({ format: 'date-time' })

export const AssignmentRuleView = Type.Object({
  id: Uuid, externalId: Nullable(Type.String()), name: Type.String(), priority: Type.Integer(), active: Type.Boolean(),
  sources: Type.Array(Type.String()), industries: Type.Array(Type.String()), regions: Type.Array(Type.String()),
  campaignIds: Type.Array(Type.String()), assigneeId: Nullable(Type.String()), teamId: Nullable(Type.String()),
  version: Type.Integer(), createdAt: Time, updatedAt: Time
})

export const FollowUpPolicyView = Type.Object({
  id: Uuid, source: Type.String(), firstContactHours: Type.Integer(), followUpDays: Type.Integer(), dormantDays: Type.Integer(),
  active: Type.Boolean(), version: Type.Integer(), createdAt: Time, updatedAt: Time
})

export const AssignmentDecisionView = Type.Object({
  ownerId: Nullable(Type.String()),
  teamId: Nullable(Type.String()),
  via: StringEnum(['rule', 'referrer_owner', 'round_robin', 'unassigned'] as const),
  ruleId: Nullable(Type.String()),
  reason: Type.String({ description: 'What the lead history records: rule:<name>, referrer_owner, round_robin:team, round_robin:global or unassigned' }),
  explanation: Type.String(),
  rules: Type.Array(Type.Object({ ruleId: Type.String(), name: Type.String(), matched: Type.Boolean(), why: Type.String() }))
})
