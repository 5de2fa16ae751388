import type { CrmModule } from '../registry.js'
import { ownershipResolvers } from './ownership.resolvers.js'
import { ownershipRoutes } from './ownership.routes.js'

export default {
  name: 'ownership',
  routes: ownershipRoutes,
  resolvers: ownershipResolvers
} satisfies CrmModule
