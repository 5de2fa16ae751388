import type { CrmModule } from '../registry.js'
import { couponsLoaders, couponsResolvers } from './coupons.resolvers.js'
import { couponsRoutes } from './coupons.routes.js'

export default {
  name: 'coupons',
  routes: couponsRoutes,
  resolvers: couponsResolvers,
  loaders: couponsLoaders
} satisfies CrmModule
