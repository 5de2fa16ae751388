import type { CrmModule } from '../registry.js'
import { erasureResolvers } from './erasure.resolvers.js'
import { erasureRoutes } from './erasure.routes.js'

export default {
  name: 'privacy-erasure',
  routes: erasureRoutes,
  resolvers: erasureResolvers
} satisfies CrmModule
