import type { CrmModule } from '../registry.js'
import { activitiesLoaders } from './activities.loaders.js'
import { activitiesResolvers } from './activities.resolvers.js'
import { activitiesRoutes } from './activities.routes.js'

export default {
  name: 'activities',
  routes: activitiesRoutes,
  resolvers: activitiesResolvers,
  loaders: activitiesLoaders
} satisfies CrmModule
