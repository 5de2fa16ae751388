import { pgEnum } from 'drizzle-orm/pg-core'

export const roleEnum = pgEnum('role', ['admin', 'manager', 'sales', 'marketing', 'service', 'integration', 'referrer'])
export const genderEnum = pgEnum('gender', ['male', 'female', 'other', 'unknown'])
export const lifecycleStageEnum = pgEnum('lifecycle_stage', ['prospect', 'nurturing', 'loyal', 'at_risk', 'churned'])
export const customerTierEnum = pgEnum('customer_tier', ['A', 'B', 'C'])
export const referrerKindEnum = pgEnum('referrer_kind', ['customer', 'employee', 'partner', 'influencer', 'other'])
export const referrerStatusEnum = pgEnum('referrer_status', ['active', 'suspended', 'archived'])
export const leadStatusEnum = pgEnum('lead_status', ['new', 'contacted', 'qualified', 'converted', 'disqualified', 'dormant'])
export const opportunityStageEnum = pgEnum('opportunity_stage', [
  'initial_contact', 'needs_assessment', 'proposal', 'negotiation', 'won', 'lost'
])
export const campaignStatusEnum = pgEnum('campaign_status', ['draft', 'scheduled', 'active', 'paused', 'completed', 'cancelled'])
export const activityKindEnum = pgEnum('activity_kind', [
  'call', 'email', 'meeting', 'visit', 'wechat', 'dingtalk', 'sms', 'note'
])
export const activityDirectionEnum = pgEnum('activity_direction', ['inbound', 'outbound', 'internal'])
export const taskStatusEnum = pgEnum('task_status', ['open', 'done', 'cancelled'])
export const taskPriorityEnum = pgEnum('task_priority', ['low', 'normal', 'high', 'urgent'])
export const referralStatusEnum = pgEnum('referral_status', ['pending_consent', 'submitted', 'qualified', 'converted', 'rejected'])
export const referralRejectionEnum = pgEnum('referral_rejection', [
  'duplicate', 'already_customer', 'self_referral', 'consent_declined', 'expired', 'invalid'
])
export const referralChannelEnum = pgEnum('referral_channel', ['api', 'form', 'link', 'qr', 'import'])
export const orderStatusEnum = pgEnum('order_status', ['paid', 'refunded'])
export const incentiveTriggerEnum = pgEnum('incentive_trigger', ['referral_qualified', 'referral_converted', 'order_paid', 'referrer_milestone', 'survey_answered', 'ticket_resolved'])
export const rewardCalcEnum = pgEnum('reward_calc', ['fixed', 'percentage', 'points'])
export const rewardTypeEnum = pgEnum('reward_type', ['cash', 'points', 'coupon'])
export const beneficiaryEnum = pgEnum('beneficiary', ['referrer', 'referred', 'both'])
export const capPeriodEnum = pgEnum('cap_period', ['day', 'week', 'month', 'year', 'all_time'])
export const rewardStatusEnum = pgEnum('reward_status', ['pending', 'approved', 'paid', 'cancelled', 'reversed'])
export const rewardEntryKindEnum = pgEnum('reward_entry_kind', ['reward', 'reversal'])
export const ticketChannelEnum = pgEnum('ticket_channel', ['phone', 'wechat', 'dingtalk', 'email', 'web', 'in_person'])
export const ticketPriorityEnum = pgEnum('ticket_priority', ['low', 'normal', 'high', 'urgent'])
export const ticketStatusEnum = pgEnum('ticket_status', ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed'])
export const ticketCommentVisibilityEnum = pgEnum('ticket_comment_visibility', ['internal', 'public'])
export const calendarDayKindEnum = pgEnum('calendar_day_kind', ['holiday', 'workday'])
export const surveyKindEnum = pgEnum('survey_kind', ['csat', 'nps'])
export const surveyTriggerEnum = pgEnum('survey_trigger', ['ticket_resolved', 'order_paid', 'referral_converted'])
export const surveyInvitationStatusEnum = pgEnum('survey_invitation_status', ['scheduled', 'sent', 'answered', 'expired', 'cancelled'])
