import type { CrmModule } from '../registry.js'
import { pointsLoaders, pointsResolvers } from './points.resolvers.js'
import { pointsRoutes } from './points.routes.js'

export default {
  name: 'points',
  routes: pointsRoutes,
  resolvers: pointsResolvers,
  loaders: pointsLoaders
} satisfies CrmModule
