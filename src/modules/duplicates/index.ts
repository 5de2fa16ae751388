import type { CrmModule } from '../registry.js'
import { duplicatesLoaders, duplicatesResolvers } from './duplicates.resolvers.js'
import { duplicatesRoutes } from './duplicates.routes.js'

export default {
  name: 'duplicates',
  routes: duplicatesRoutes,
  resolvers: duplicatesResolvers,
  loaders: duplicatesLoaders
} satisfies CrmModule
