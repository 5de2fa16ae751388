import type { CrmModule } from '../registry.js'
import { piiKeysResolvers } from './pii-keys.resolvers.js'
import { piiKeysRoutes } from './pii-keys.routes.js'

export default {
  name: 'pii-keys',
  routes: piiKeysRoutes,
  resolvers: piiKeysResolvers
} satisfies CrmModule
