import type { CrmModule } from '../registry.js'
import { levelsLoaders, levelsResolvers } from './levels.resolvers.js'
import { levelsRoutes } from './levels.routes.js'

export default {
  name: 'levels',
  routes: levelsRoutes,
  resolvers: levelsResolvers,
  loaders: levelsLoaders
} satisfies CrmModule
