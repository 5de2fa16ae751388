import type { CrmModule } from '../registry.js'
import { tasksLoaders, tasksResolvers } from './tasks.resolvers.js'
import { tasksRoutes } from './tasks.routes.js'

export default {
  name: 'tasks',
  routes: tasksRoutes,
  resolvers: tasksResolvers,
  loaders: tasksLoaders
} satisfies CrmModule
