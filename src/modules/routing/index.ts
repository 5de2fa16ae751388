import type { CrmModule } from '../registry.js'
import { routingLoaders, routingResolvers } from './routing.resolvers.js'
import { routingRoutes } from './routing.routes.js'

export default {
  name: 'routing',
  routes: routingRoutes,
  resolvers: routingResolvers,
  loaders: routingLoaders
} satisfies CrmModule
