import type { CrmModule } from '../registry.js'
import { usersResolvers, usersLoaders } from './users.resolvers.js'
import { usersRoutes } from './users.routes.js'

export default {
  name: 'users',
  routes: usersRoutes,
  resolvers: usersResolvers,
  loaders: usersLoaders
} satisfies CrmModule
