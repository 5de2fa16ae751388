import type { CrmModule } from '../registry.js'
import { channelsResolvers } from './channels.resolvers.js'
import { channelsRoutes } from './channels.routes.js'
import { staffResolvers } from './staff.resolvers.js'
import { staffRoutes } from './staff.routes.js'

/** Notification channels, the message log and staff subscriptions: the parts the registry merges (H1's half of src/modules/notifications). */
export default [
  { name: 'notification-channels', routes: channelsRoutes, resolvers: channelsResolvers },
  { name: 'notification-subscriptions', routes: staffRoutes, resolvers: staffResolvers }
] satisfies CrmModule[]
