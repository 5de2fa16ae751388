import type { CrmModule } from '../registry.js'
import { leadsLoaders, leadsResolvers } from './leads.resolvers.js'
import { leadsRoutes } from './leads.routes.js'

export default {
  name: 'leads',
  routes: leadsRoutes,
  resolvers: leadsResolvers,
  loaders: leadsLoaders
} satisfies CrmModule
