/**
 * The event types an endpoint may subscribe to: every event of the public contract
 * (API.md), the other events the services write to the outbox, and the delivery engine's
 * own `webhook_endpoint.disabled`. test/modules/webhooks/event-types.suite.ts checks that
 * every literal type the services emit is listed here.
 */
export const webhookEventTypes = [
  // The public contract (API.md).
  'customer.created', 'customer.updated', 'customer.merged',
  'referral.submitted', 'referral.consented', 'referral.qualified', 'referral.converted', 'referral.rejected',
  'lead.created', 'lead.assigned', 'lead.converted', 'lead.sla_breached',
  'opportunity.stage_changed', 'opportunity.won', 'opportunity.lost',
  'order.recorded', 'order.refunded',
  'reward.created', 'reward.approved', 'reward.paid', 'reward.reversed',
  'rfm.recomputed',
  // Also emitted by the services.
  'referrer.created', 'referrer.updated',
  'referral.consent_requested',
  'lead.updated', 'lead.status_changed',
  'opportunity.created', 'opportunity.updated',
  'campaign.created', 'campaign.updated', 'campaign.cost_recorded',
  'incentive_rule.created', 'incentive_rule.updated',
  'activity.logged',
  'task.created', 'task.updated', 'task.completed', 'task.cancelled',
  'assignment_rule.created', 'assignment_rule.updated', 'assignment_rule.deleted',
  'follow_up_policy.created', 'follow_up_policy.updated', 'follow_up_policy.deleted',
  'ownership.transferred',
  // Customer service (docs/service.md).
  'ticket.created', 'ticket.updated', 'ticket.status_changed', 'ticket.resolved', 'ticket.comment_added',
  'ticket_routing_rule.created', 'ticket_routing_rule.updated', 'ticket_routing_rule.deleted',
  'ticket_category.created', 'ticket_category.updated',
  'ticket.sla_breached',
  'working_calendar.updated', 'calendar_days.set', 'calendar_days.deleted',
  'sla_policy.created', 'sla_policy.updated', 'sla_policy.deleted',
  // Satisfaction surveys (docs/service.md).
  'survey.created', 'survey.updated', 'survey.sent', 'survey.answered', 'survey.detractor', 'survey.promoter',
  // Loyalty: points (docs/loyalty.md).
  'points.earned', 'points.redeemed', 'points.expired', 'points.adjusted', 'points.reversed',
  // Loyalty: member levels (docs/loyalty.md).
  'customer.level_changed',
  // Loyalty: coupons (docs/loyalty.md, "Coupons").
  'coupon.issued', 'coupon.redeemed', 'coupon.voided', 'coupon.restored', 'coupon_batch.completed',
  // Automation: journeys (docs/automation.md).
  'journey.created', 'journey.updated', 'journey.activated', 'journey.paused', 'journey.archived', 'automation.action',
  // The delivery engine's: an endpoint was turned off (410 Gone, or failing too long).
  'webhook_endpoint.disabled',
  // Consents (docs/consents.md).
  'consent.granted', 'consent.withdrawn',
  // Erasure (docs/privacy.md): consumers erase their copies of the person.
  'privacy.erased'
] as const

export type WebhookEventType = (typeof webhookEventTypes)[number]

const known: ReadonlySet<string> = new Set(webhookEventTypes)
const entities: ReadonlySet<string> = new Set(webhookEventTypes.map((type) => type.split('.')[0]))

/**
 * A name an endpoint may subscribe to: a catalogue type, or `<entity>.*` for every type of
 * one entity (the fan-out matches `split_part(type, '.', 1) || '.*'`).
 */
export function isSubscribable(name: string): boolean {
  if (known.has(name)) return true
  const wildcard = /^([a-z_]+)\.\*$/.exec(name)
  return wildcard !== null && entities.has(wildcard[1])
}
