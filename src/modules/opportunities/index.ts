import type { CrmModule } from '../registry.js'
import { opportunitiesLoaders } from './opportunities.loaders.js'
import { opportunitiesResolvers } from './opportunities.resolvers.js'
import { opportunitiesRoutes } from './opportunities.routes.js'

export default {
  name: 'opportunities',
  routes: opportunitiesRoutes,
  resolvers: opportunitiesResolvers,
  loaders: opportunitiesLoaders
} satisfies CrmModule
