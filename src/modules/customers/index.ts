import type { CrmModule } from '../registry.js'
import { customersLoaders, customersResolvers } from './customers.resolvers.js'
import { customersRoutes } from './customers.routes.js'

export default {
  name: 'customers',
  routes: customersRoutes,
  resolvers: customersResolvers,
  loaders: customersLoaders
} satisfies CrmModule
