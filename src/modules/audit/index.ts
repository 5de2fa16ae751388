import type { CrmModule } from '../registry.js'
import { auditResolvers } from './audit.resolvers.js'
import { auditRoutes } from './audit.routes.js'

export default {
  name: 'audit',
  routes: auditRoutes,
  resolvers: auditResolvers
} satisfies CrmModule
