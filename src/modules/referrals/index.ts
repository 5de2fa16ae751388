import type { CrmModule } from '../registry.js'
import { referralsLoaders } from './referrals.loaders.js'
import { referralsResolvers } from './referrals.resolvers.js'
import { referralsRoutes } from './referrals.routes.js'

export default {
  name: 'referrals',
  routes: referralsRoutes,
  resolvers: referralsResolvers,
  loaders: referralsLoaders
} satisfies CrmModule
