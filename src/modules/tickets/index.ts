import type { CrmModule } from '../registry.js'
import { ticketsLoaders, ticketsResolvers } from './tickets.resolvers.js'
import { ticketsRoutes } from './tickets.routes.js'

export default {
  name: 'tickets',
  routes: ticketsRoutes,
  resolvers: ticketsResolvers,
  loaders: ticketsLoaders
} satisfies CrmModule
