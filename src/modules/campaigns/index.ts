import type { CrmModule } from '../registry.js'
import { campaignsLoaders, campaignsResolvers } from './campaigns.resolvers.js'
import { campaignsRoutes } from './campaigns.routes.js'

export default {
  name: 'campaigns',
  routes: campaignsRoutes,
  resolvers: campaignsResolvers,
  loaders: campaignsLoaders
} satisfies CrmModule
