import type { CrmModule } from '../registry.js'
import { journeysLoaders, journeysResolvers } from './journeys.resolvers.js'
import { journeysRoutes } from './journeys.routes.js'

export default {
  name: 'automation',
  routes: journeysRoutes,
  resolvers: journeysResolvers,
  loaders: journeysLoaders
} satisfies CrmModule
