import { and, eq, isNull, or, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { notificationChannels } from '../../db/schema/messages.js'
import { notificationSubscriptions as subs } from '../../db/schema/notification-subscriptions.js'
import { teams } from '../../db/schema/teams.js'
import { users } from '../../db/schema/users.js'
import { CrmError, forbidden, invalid, notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { fanOutStaffEvents } from './staff.fanout.js'
import { Subscribe } from './staff.schemas.js'

const view = {
  id: subs.id, userId: subs.userId, teamId: subs.teamId, channelId: subs.channelId, eventTypes: subs.eventTypes, scope: subs.scope,
  version: subs.version, createdAt: subs.createdAt, updatedAt: subs.updatedAt
}
export type NotificationSubscription = { id: string; userId: string | null; teamId: string | null; channelId: string; eventTypes: string[]; scope: string; version: number; createdAt: Date; updatedAt: Date }

const live = isNull(subs.deletedAt)
const robots = new Set(['wecom_robot', 'dingtalk_robot'])
const wide = new Set(['admin', 'manager'])

/**
 * Staff notifications (docs/notifications.md): subscriptions, and the fan-out of staff
 * events into messages the delivery worker sends. Staff manage their own subscriptions
 * (their email); admins anyone's and teams' (robots).
 */
export class StaffNotificationsService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Turns new staff events into queued messages (the worker calls it each pass). */
  fanOut(now: Date) {
    return fanOutStaffEvents(this.deps.db, now, this.deps.config.STAFF_NOTIFY_MAX_AGE_HOURS * 3_600_000)
  }

  /** Live subscriptions: an admin sees all (or one user's or team's); others their own and their team's. */
  async list(actor: Actor, page: PageRequest, filter: { userId?: string | null; teamId?: string | null } = {}) {
    const where: SQL[] = [live]
    if (actor.role !== 'admin') {
      if (!actor.userId || actor.role === 'referrer') throw forbidden('Only staff users have notification subscriptions')
      where.push(actor.teamId ? or(eq(subs.userId, actor.userId), eq(subs.teamId, actor.teamId))! : eq(subs.userId, actor.userId))
    }
    if (filter.userId) where.push(eq(subs.userId, filter.userId))
    if (filter.teamId) where.push(eq(subs.teamId, filter.teamId))
    const keyset = new Keyset('createdAt', subs.createdAt, subs.id, 'ASC', page)
    const found = keyset.page(await selectPage(this.deps.db, subs, view, where, keyset))
    return { ...found, rows: found.rows as NotificationSubscription[], count: () => countWhere(this.deps.db, subs, where) }
  }

  /** Subscribes a user (default: the caller) or a team to event types on a channel; again on the same channel replaces types and scope. */
  async subscribe(actor: Actor, input: unknown): Promise<NotificationSubscription> {
    const data = parse(Subscribe, input)
    if (actor.readOnly) throw forbidden('This key is read-only')
    if (data.userId && data.teamId) throw invalid('teamId', 'give userId or teamId, not both', 'ONE_SUBSCRIBER')
    const userId = data.teamId ? null : data.userId ?? actor.userId
    if (!userId && !data.teamId) throw invalid('userId', 'this key has no user: name the userId or teamId to subscribe', 'REQUIRED')
    if (actor.role !== 'admin' && (data.teamId || userId !== actor.userId)) throw forbidden('Only admins manage the subscriptions of other users and of teams')
    const scope = data.scope ?? (data.teamId ? 'team' : 'mine')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const channel = await this.channel(tx, data.channelId)
      if (userId) await this.checkUser(tx, userId, channel.kind, scope)
      else await this.checkTeam(tx, data.teamId!, channel, scope)
      const who = userId ? eq(subs.userId, userId) : eq(subs.teamId, data.teamId!)
      const [existing] = await tx.select(view).from(subs).where(and(who, eq(subs.channelId, data.channelId), live)).for('update')
      const values = { eventTypes: [...data.eventTypes], scope }
      const [row] = existing
        ? await tx.update(subs).set({ ...values, version: sql`${subs.version} + 1`, updatedAt: new Date() }).where(eq(subs.id, existing.id)).returning(view)
        : await tx.insert(subs).values({ ...values, userId, teamId: data.teamId ?? null, channelId: data.channelId }).onConflictDoNothing().returning(view)
      if (!row) throw new CrmError('CRM_ERR_CONFLICT', 'channelId: subscribed at the same time by another request; try again', [{ field: 'channelId', message: 'subscribed at the same time by another request; try again', code: 'CONFLICT' }])
      audit({ action: existing ? 'notification_subscription.updated' : 'notification_subscription.created', entityType: 'notification_subscription', entityId: row.id, changes: { userId, teamId: data.teamId ?? null, channelId: data.channelId, ...values } })
      return row as NotificationSubscription
    })
  }

  /** Ends a subscription: the user's own, or any for an admin. Messages already queued still go. */
  async unsubscribe(actor: Actor, id: string): Promise<{ id: string }> {
    if (actor.readOnly) throw forbidden('This key is read-only')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const [row] = isUuid(id) ? await tx.select(view).from(subs).where(and(eq(subs.id, id), live)).for('update') : []
      if (!row || (actor.role !== 'admin' && row.userId !== actor.userId)) throw notFound('Notification subscription', id)
      await tx.update(subs).set({ deletedAt: new Date(), version: sql`${subs.version} + 1`, updatedAt: new Date() }).where(eq(subs.id, id))
      audit({ action: 'notification_subscription.deleted', entityType: 'notification_subscription', entityId: id })
      return { id }
    })
  }

  private async channel(ex: Executor, id: string) {
    const [c] = await ex.select({ id: notificationChannels.id, kind: notificationChannels.kind, teamId: notificationChannels.teamId })
      .from(notificationChannels).where(and(eq(notificationChannels.id, id), isNull(notificationChannels.deletedAt)))
    if (!c) throw invalid('channelId', 'no such notification channel', 'NOT_FOUND')
    return c
  }

  /** A user hears on an email channel, at their own address; scope `all` is for managers and admins. */
  private async checkUser(ex: Executor, userId: string, kind: string, scope: string): Promise<void> {
    const [u] = await ex.select({ email: users.email, role: users.role }).from(users).where(and(eq(users.id, userId), isNull(users.deletedAt)))
    if (!u) throw invalid('userId', 'no such user', 'NOT_FOUND')
    if (kind !== 'email') throw invalid('channelId', 'a user subscribes on an email channel; robots post to a team', 'WRONG_CHANNEL_KIND')
    if (!u.email) throw invalid('userId', 'the user has no email address', 'NO_ADDRESS')
    if (scope === 'all' && !wide.has(u.role)) throw invalid('scope', 'only managers and admins may hear of every event (scope all)', 'SCOPE_NOT_ALLOWED')
  }

  /** A team hears on a robot channel that is its own (or no team's). */
  private async checkTeam(ex: Executor, teamId: string, channel: { kind: string; teamId: string | null }, scope: string): Promise<void> {
    const [t] = await ex.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId))
    if (!t) throw invalid('teamId', 'no such team', 'NOT_FOUND')
    if (!robots.has(channel.kind)) throw invalid('channelId', 'a team subscribes on a WeCom or DingTalk robot channel', 'WRONG_CHANNEL_KIND')
    if (channel.teamId && channel.teamId !== teamId) throw invalid('channelId', "the robot posts to another team's group", 'OTHER_TEAM')
    if (scope === 'mine') throw invalid('scope', 'a team subscription has scope team or all', 'SCOPE_NOT_ALLOWED')
  }
}
