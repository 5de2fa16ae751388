import type { CrmModule } from '../registry.js'
import { analyticsRoutes } from './analytics.routes.js'
import { campaignPerformanceLoaders, campaignPerformanceQuery } from './campaign-performance/campaign-performance.resolvers.js'
import { funnelQuery } from './funnel/funnel.resolvers.js'
import { kpisQuery } from './kpis/kpis.resolvers.js'
import { leaderboardQuery } from './leaderboard/leaderboard.resolvers.js'
import { loyaltyQuery } from './loyalty/loyalty.resolvers.js'
import { automationQuery } from './automation/automation.resolvers.js'
import { pipelineQuery } from './pipeline/pipeline.resolvers.js'
import { salesQuery } from './sales/sales.resolvers.js'
import { serviceSatisfactionQuery } from './service/service.resolvers.js'

export default {
  name: 'analytics',
  routes: analyticsRoutes,
  resolvers: { Query: { ...funnelQuery, ...campaignPerformanceQuery, ...salesQuery, ...pipelineQuery, ...leaderboardQuery, ...kpisQuery, ...serviceSatisfactionQuery, ...loyaltyQuery, ...automationQuery } },
  loaders: { ...campaignPerformanceLoaders }
} satisfies CrmModule
