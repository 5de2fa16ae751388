import type { CrmModule } from '../registry.js'
import { privacyExportResolvers } from './export.resolvers.js'
import { privacyExportRoutes } from './export.routes.js'

/** Personal data export (PIPL access and portability): its own module, beside the erasure one in this folder. */
export default {
  name: 'privacy-export',
  routes: privacyExportRoutes,
  resolvers: privacyExportResolvers
} satisfies CrmModule
