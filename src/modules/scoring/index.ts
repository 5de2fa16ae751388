import type { CrmModule } from '../registry.js'
import { scoringResolvers } from './scoring.resolvers.js'
import { scoringRoutes } from './scoring.routes.js'

export default {
  name: 'scoring',
  routes: scoringRoutes,
  resolvers: scoringResolvers
} satisfies CrmModule
