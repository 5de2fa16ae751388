import type { CrmModule } from '../registry.js'
import { analyticsRoutes } from './analytics.routes.js'
import { kpisQuery } from './kpis/kpis.resolvers.js'
import { leaderboardQuery } from './leaderboard/leaderboard.resolvers.js'

export default {
  name: 'analytics',
  routes: analyticsRoutes,
  resolvers: { Query: { ...leaderboardQuery, ...kpisQuery } }
} satisfies CrmModule
