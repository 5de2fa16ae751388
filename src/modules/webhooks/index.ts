import type { FastifyPluginAsync } from 'fastify'
import type { IResolvers } from 'mercurius'
import type { CrmModule } from '../registry.js'
import type { Services } from '../services.js'
import { webhookDeliveriesLoaders, webhookDeliveriesResolvers } from './webhook-deliveries.resolvers.js'
import { webhookDeliveriesRoutes } from './webhook-deliveries.routes.js'
import { webhookEndpointsResolvers } from './webhook-endpoints.resolvers.js'
import { webhookEndpointsRoutes } from './webhook-endpoints.routes.js'

const routes: FastifyPluginAsync<{ services: Services }> = async (app, opts) => {
  await app.register(webhookEndpointsRoutes, opts)
  await app.register(webhookDeliveriesRoutes, opts)
}

/** Endpoints (management) and deliveries (history, replay) share the GraphQL types Query, Mutation and WebhookEndpoint. */
function merged(...parts: IResolvers[]): IResolvers {
  const out: Record<string, Record<string, unknown>> = {}
  for (const part of parts) for (const [type, fields] of Object.entries(part)) out[type] = { ...out[type], ...(fields as Record<string, unknown>) }
  return out as IResolvers
}

export default {
  name: 'webhooks',
  routes,
  resolvers: merged(webhookEndpointsResolvers, webhookDeliveriesResolvers),
  loaders: webhookDeliveriesLoaders
} satisfies CrmModule
