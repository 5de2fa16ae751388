import type { CrmModule } from '../registry.js'
import { analyticsRoutes } from './analytics.routes.js'
import { campaignPerformanceLoaders, campaignPerformanceQuery } from './campaign-performance/campaign-performance.resolvers.js'

export default {
  name: 'analytics',
  routes: analyticsRoutes,
  resolvers: { Query: { ...campaignPerformanceQuery } },
  loaders: { ...campaignPerformanceLoaders }
} satisfies CrmModule
