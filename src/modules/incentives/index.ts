import type { FastifyPluginAsync } from 'fastify'
import type { CrmModule } from '../registry.js'
import type { Services } from '../services.js'
import { incentiveRulesRoutes } from './incentive-rules.routes.js'
import { incentivesLoaders } from './incentives.loaders.js'
import { incentivesResolvers } from './incentives.resolvers.js'
import { rewardsRoutes } from './rewards.routes.js'

const routes: FastifyPluginAsync<{ services: Services }> = async (app, opts) => {
  await app.register(incentiveRulesRoutes, opts)
  await app.register(rewardsRoutes, opts)
}

export default {
  name: 'incentives',
  routes,
  resolvers: incentivesResolvers,
  loaders: incentivesLoaders
} satisfies CrmModule
