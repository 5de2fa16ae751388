import { sql } from 'drizzle-orm'
import { check, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns } from './columns.js'
import { notificationChannels } from './messages.js'
import { teams } from './teams.js'
import { users } from './users.js'

/**
 * Who hears about which staff events, on which channel (docs/notifications.md, "Staff
 * notifications"): a user on an email channel (their own address), or a team on its WeCom or
 * DingTalk robot. `scope` says which events of the types reach them: `mine` (the user is the
 * one concerned: the new owner, the assignee, the manager), `team` (someone of the team is),
 * `all` (every one; managers and admins only).
 */
export const notificationSubscriptions = pgTable('notification_subscriptions', {
  ...entityColumns(),
  userId: uuid().references(() => users.id),
  teamId: uuid().references(() => teams.id),
  channelId: uuid().notNull().references(() => notificationChannels.id),
  eventTypes: text().array().notNull(),
  scope: text().notNull().default('mine')
}, (t) => [
  check('notification_subscriptions_subscriber_ck', sql`(${t.userId} is null) <> (${t.teamId} is null)`),
  check('notification_subscriptions_scope_ck', sql`${t.scope} in ('mine', 'team', 'all')`),
  uniqueIndex('notification_subscriptions_user_uq').on(t.userId, t.channelId).where(sql`${t.userId} is not null and ${t.deletedAt} is null`),
  uniqueIndex('notification_subscriptions_team_uq').on(t.teamId, t.channelId).where(sql`${t.teamId} is not null and ${t.deletedAt} is null`),
  index('notification_subscriptions_channel_idx').on(t.channelId)
])
