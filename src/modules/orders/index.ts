import type { CrmModule } from '../registry.js'
import { ordersLoaders } from './orders.loaders.js'
import { ordersResolvers } from './orders.resolvers.js'
import { ordersRoutes } from './orders.routes.js'

export default {
  name: 'orders',
  routes: ordersRoutes,
  resolvers: ordersResolvers,
  loaders: ordersLoaders
} satisfies CrmModule
