import type { CrmModule } from '../../registry.js'
import { ticketSlaResolvers } from './ticket-sla.resolvers.js'
import { ticketSlaRoutes } from './ticket-sla.routes.js'

export default {
  name: 'ticket-sla',
  routes: ticketSlaRoutes,
  resolvers: ticketSlaResolvers
} satisfies CrmModule
