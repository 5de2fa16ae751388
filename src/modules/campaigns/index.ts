import type { CrmModule } from '../registry.js'
import { campaignsLoaders, campaignsResolvers } from './campaigns.resolvers.js'
import { campaignsRoutes } from './campaigns.routes.js'
import { campaignCostsResolvers } from './campaign-costs.resolvers.js'
import { campaignCostsRoutes } from './campaign-costs.routes.js'

/** Campaigns and their costs: two parts the registry merges like any others. */
export default [
  { name: 'campaigns', routes: campaignsRoutes, resolvers: campaignsResolvers, loaders: campaignsLoaders },
  { name: 'campaign-costs', routes: campaignCostsRoutes, resolvers: campaignCostsResolvers }
] satisfies CrmModule[]
