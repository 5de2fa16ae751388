import type { CrmModule } from '../registry.js'
import { analyticsRoutes } from './analytics.routes.js'
import { funnelQuery } from './funnel/funnel.resolvers.js'

export default {
  name: 'analytics',
  routes: analyticsRoutes,
  resolvers: {
    Query: { ...funnelQuery }
  }
} satisfies CrmModule
