import type { CrmModule } from '../registry.js'
import { bulkRoutes } from './bulk.routes.js'

export default {
  name: 'bulk',
  routes: bulkRoutes
} satisfies CrmModule
