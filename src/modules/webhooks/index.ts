import type { CrmModule } from '../registry.js'
import { webhookDeliveriesLoaders, webhookDeliveriesResolvers } from './webhook-deliveries.resolvers.js'
import { webhookDeliveriesRoutes } from './webhook-deliveries.routes.js'
import { webhookEndpointsResolvers } from './webhook-endpoints.resolvers.js'
import { webhookEndpointsRoutes } from './webhook-endpoints.routes.js'

/** Endpoints (management) and deliveries (history, replay): two parts the registry merges like any others. */
export default [
  { name: 'webhook-endpoints', routes: webhookEndpointsRoutes, resolvers: webhookEndpointsResolvers },
  { name: 'webhook-deliveries', routes: webhookDeliveriesRoutes, resolvers: webhookDeliveriesResolvers, loaders: webhookDeliveriesLoaders }
] satisfies CrmModule[]
