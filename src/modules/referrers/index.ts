import type { CrmModule } from '../registry.js'
import { referrersLoaders } from './referrers.loaders.js'
import { referrersResolvers } from './referrers.resolvers.js'
import { referrersRoutes } from './referrers.routes.js'

export default {
  name: 'referrers',
  routes: referrersRoutes,
  resolvers: referrersResolvers,
  loaders: referrersLoaders
} satisfies CrmModule
