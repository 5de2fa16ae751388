import type { ServiceDeps } from './service-deps.js'
import { CustomersService } from './customers/customers.service.js'
import { UsersService } from './users/users.service.js'
import { ReferrersService } from './referrers/referrers.service.js'
import { LeadsService } from './leads/leads.service.js'
import { OpportunitiesService } from './opportunities/opportunities.service.js'
import { CampaignsService } from './campaigns/campaigns.service.js'
import { CampaignCostsService } from './campaigns/campaign-costs.service.js'
import { ActivitiesService } from './activities/activities.service.js'
import { TasksService } from './tasks/tasks.service.js'
import { OwnershipService } from './ownership/ownership.service.js'
import { RoutingService } from './routing/routing.service.js'
import { ReferralsService } from './referrals/referrals.service.js'
import { OrdersService } from './orders/orders.service.js'
import { IncentiveRulesService } from './incentives/incentive-rules.service.js'
import { RewardsService } from './incentives/rewards.service.js'
import { ScoringService } from './scoring/scoring.service.js'
import { BulkImportService } from './bulk/import.service.js'
import { WebhookDeliveriesService } from './webhooks/webhook-deliveries.service.js'
import { WebhookEndpointsService } from './webhooks/webhook-endpoints.service.js'
import { IdempotencyService } from './idempotency/idempotency.service.js'
import { DuplicatesService } from './duplicates/duplicates.service.js'
import { AnalyticsService } from './analytics/analytics.service.js'
import { TicketsService } from './tickets/tickets.service.js'
import { TicketTrackingService } from './tickets/tickets.tracking.js'
import { TicketRoutingService } from './tickets/routing/ticket-routing.service.js'
import { TicketSlaService } from './tickets/sla/ticket-sla.service.js'
import { SurveysService } from './surveys/surveys.service.js'
import { PointsService } from './points/points.service.js'
import { EarningRulesService } from './points/earning-rules.service.js'
import { CouponTemplatesService } from './coupons/coupon-templates.service.js'
import { CouponsService } from './coupons/coupons.service.js'
import { LevelsService } from './levels/levels.service.js'
import { NotificationChannelsService } from './notifications/channels.service.js'
import { MessageDeliveryService } from './notifications/delivery.service.js'
import { StaffNotificationsService } from './notifications/staff.service.js'
import { JourneysService } from './automation/journeys.service.js'
import { JourneyEngine } from './automation/journey-engine.js'
import { MessageGateService } from './notifications/message-gate.service.js'
import { MessageTemplatesService } from './notifications/templates.service.js'
import { ConsentsService } from './consents/consents.service.js'
import { PersonalDataExportService } from './privacy/export.service.js'
import { ErasureService } from './privacy/erasure.service.js'
import { RetentionService } from './privacy/retention.service.js'

/** The one place services are built; transports receive this object. */
export function createServices(deps: ServiceDeps) {
  return {
    customers: new CustomersService(deps),
    users: new UsersService(deps),
    referrers: new ReferrersService(deps),
    leads: new LeadsService(deps),
    opportunities: new OpportunitiesService(deps),
    campaigns: new CampaignsService(deps),
    campaignCosts: new CampaignCostsService(deps),
    activities: new ActivitiesService(deps),
    tasks: new TasksService(deps),
    ownership: new OwnershipService(deps),
    routing: new RoutingService(deps),
    referrals: new ReferralsService(deps),
    orders: new OrdersService(deps),
    incentiveRules: new IncentiveRulesService(deps),
    rewards: new RewardsService(deps),
    scoring: new ScoringService(deps),
    bulk: new BulkImportService(deps),
    webhookEndpoints: new WebhookEndpointsService(deps),
    webhookDeliveries: new WebhookDeliveriesService(deps),
    idempotency: new IdempotencyService(deps),
    duplicates: new DuplicatesService(deps),
    analytics: new AnalyticsService(deps),
    tickets: new TicketsService(deps),
    ticketTracking: new TicketTrackingService(deps),
    ticketRouting: new TicketRoutingService(deps),
    ticketSla: new TicketSlaService(deps),
    surveys: new SurveysService(deps),
    points: new PointsService(deps),
    earningRules: new EarningRulesService(deps),
    levels: new LevelsService(deps),
    couponTemplates: new CouponTemplatesService(deps),
    coupons: new CouponsService(deps),
    notificationChannels: new NotificationChannelsService(deps),
    messageDelivery: new MessageDeliveryService(deps),
    staffNotifications: new StaffNotificationsService(deps),
    journeys: new JourneysService(deps),
    journeyEngine: new JourneyEngine(deps),
    messageGate: new MessageGateService(deps),
    messageTemplates: new MessageTemplatesService(deps),
    consents: new ConsentsService(deps),
    privacyExport: new PersonalDataExportService(deps),
    erasure: new ErasureService(deps),
    retention: new RetentionService(deps)
  }
}

export type Services = ReturnType<typeof createServices>
