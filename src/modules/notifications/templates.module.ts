import type { CrmModule } from '../registry.js'
import { templatesResolvers } from './templates.resolvers.js'
import { templatesRoutes } from './templates.routes.js'

/** Message templates (docs/guardrails.md); the gate itself has no transport: other areas call services.messageGate. */
export default {
  name: 'message-templates',
  routes: templatesRoutes,
  resolvers: templatesResolvers
} satisfies CrmModule
