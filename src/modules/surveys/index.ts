import type { CrmModule } from '../registry.js'
import { surveysLoaders, surveysResolvers } from './surveys.resolvers.js'
import { surveysRoutes } from './surveys.routes.js'

export default {
  name: 'surveys',
  routes: surveysRoutes,
  resolvers: surveysResolvers,
  loaders: surveysLoaders
} satisfies CrmModule
