import type { CrmModule } from '../../registry.js'
import { ticketRoutingLoaders, ticketRoutingResolvers } from './ticket-routing.resolvers.js'
import { ticketRoutingRoutes } from './ticket-routing.routes.js'

export default {
  name: 'ticket-routing',
  routes: ticketRoutingRoutes,
  resolvers: ticketRoutingResolvers,
  loaders: ticketRoutingLoaders
} satisfies CrmModule
