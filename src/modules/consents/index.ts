import type { CrmModule } from '../registry.js'
import { consentsLoaders, consentsResolvers } from './consents.resolvers.js'
import { consentsRoutes } from './consents.routes.js'

export default {
  name: 'consents',
  routes: consentsRoutes,
  resolvers: consentsResolvers,
  loaders: consentsLoaders
} satisfies CrmModule
