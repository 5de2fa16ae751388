import type { CrmModule } from '../registry.js'
import { analyticsRoutes } from './analytics.routes.js'

export default {
  name: 'analytics',
  routes: analyticsRoutes,
  resolvers: {}
} satisfies CrmModule
