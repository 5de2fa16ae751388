import { eq } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor, Tx } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { notificationChannels } from '../../db/schema/messages.js'
import { teams } from '../../db/schema/teams.js'
import { CrmError, invalid, notFound, staleVersion, uniqueViolation } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { changedFields } from '../common/changes.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { urlProblem } from '../webhooks/webhook-url.js'
import type { ChannelKind } from './adapters/types.js'
import { authorizeChannels } from './channels.access.js'
import { channelsRepository as repo, type ChannelInsert, type ChannelRow } from './channels.repository.js'
import { ChannelCreate, ChannelUpdate, kindSettings } from './channels.schemas.js'

/** A channel as clients see it: never a secret, only which ones are set. */
export type NotificationChannel = Omit<ChannelRow, 'secretEnc' | 'deletedAt'> & { hasSecret: boolean; secretFields: string[] }

const auditedFields = ['name', 'externalId', 'teamId', 'config', 'active', 'isDefault', 'secretFields'] as const
const robots: ReadonlySet<ChannelKind> = new Set(['wecom_robot', 'dingtalk_robot'])

/**
 * Notification channels (docs/notifications.md): WeCom and DingTalk group robots, SMS
 * providers, SMTP servers. Admins write; settings are checked per kind and every address
 * passes the SSRF guard when saved (and again when a message connects). Secrets are sealed
 * with the PII cipher and never leave the service.
 */
export class NotificationChannelsService {
  constructor(private readonly deps: ServiceDeps) {}

  /** One live channel, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<NotificationChannel> {
    authorizeChannels(actor, 'read')
    const row = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!row) throw notFound('Notification channel', id)
    return this.view(row)
  }

  /** Live channels, oldest first, in keyset pages, optionally of one kind. */
  async list(actor: Actor, page: PageRequest, kind?: ChannelKind) {
    authorizeChannels(actor, 'read')
    const keyset = new Keyset('createdAt', notificationChannels.createdAt, notificationChannels.id, 'ASC', page)
    const found = keyset.page(await repo.page(this.deps.db, keyset, kind))
    return { ...found, rows: found.rows.map((r) => this.view(r)), count: () => repo.count(this.deps.db, kind) }
  }

  /** Creates a channel; `isDefault` makes it the one default of its kind. */
  async create(actor: Actor, input: unknown): Promise<NotificationChannel> {
    authorizeChannels(actor, 'write')
    const data = parse(ChannelCreate, input)
    const settings = checkedSettings(data.kind, data.config ?? {}, withoutNulls(data.secrets ?? {}))
    await this.checkAddresses(data.kind, settings.config)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      await this.checkTeam(tx, data.kind, data.teamId ?? null)
      if (data.isDefault) await repo.clearDefault(tx, data.kind, null)
      const row = await this.unique(() => repo.insert(tx, {
        name: data.name, kind: data.kind, externalId: data.externalId ?? null, teamId: data.teamId ?? null, config: settings.config,
        secretEnc: this.seal(settings.secrets), active: data.active ?? true, isDefault: data.isDefault ?? false
      }))
      const view = this.view(row)
      audit({ action: 'notification_channel.created', entityType: 'notification_channel', entityId: row.id, changes: auditView(view) })
      return view
    })
  }

  /** Changes the given fields. `config` replaces the settings; `secrets` names replace, null removes one. */
  async update(actor: Actor, id: string, input: unknown): Promise<NotificationChannel> {
    authorizeChannels(actor, 'write')
    const { expectedVersion, ...data } = parse(ChannelUpdate, input)
    const current = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!current) throw notFound('Notification channel', id)
    const secrets = { ...this.open(current.secretEnc), ...(data.secrets ?? {}) }
    const settings = checkedSettings(current.kind, data.config ?? current.config, withoutNulls(secrets))
    // Checked before the transaction: a DNS lookup must not hold the row's lock.
    if (data.config) await this.checkAddresses(current.kind, settings.config)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const before = await repo.lock(tx, id)
      if (!before) throw notFound('Notification channel', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Notification channel', expectedVersion, before.version)
      if (data.teamId !== undefined) await this.checkTeam(tx, before.kind, data.teamId)
      if (data.isDefault) await repo.clearDefault(tx, before.kind, id)
      const values: Partial<ChannelInsert> = {
        ...(data.name !== undefined ? { name: data.name } : {}),
        ...(data.externalId !== undefined ? { externalId: data.externalId } : {}),
        ...(data.teamId !== undefined ? { teamId: data.teamId } : {}),
        ...(data.config !== undefined ? { config: settings.config } : {}),
        ...(data.secrets !== undefined ? { secretEnc: this.seal(settings.secrets) } : {}),
        ...(data.active !== undefined ? { active: data.active } : {}),
        ...(data.isDefault !== undefined ? { isDefault: data.isDefault } : {})
      }
      const after = this.view(await this.unique(() => repo.update(tx, id, values)))
      const changes: Record<string, unknown> = changedFields(auditView(this.view(before)), auditView(after), auditedFields)
      // Which secrets were given, never their values.
      if (data.secrets !== undefined) changes.secretsGiven = Object.keys(data.secrets)
      if (Object.keys(changes).length > 0) audit({ action: 'notification_channel.updated', entityType: 'notification_channel', entityId: id, changes })
      return after
    })
  }

  /** Soft delete: messages still queued on it fail with reason channel_inactive; its subscriptions stop. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorizeChannels(actor, 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const row = isUuid(id) ? await repo.lock(tx, id) : undefined
      if (!row) throw notFound('Notification channel', id)
      if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('Notification channel', expectedVersion, row.version)
      await repo.update(tx, id, { deletedAt: new Date(), isDefault: false, active: false })
      audit({ action: 'notification_channel.deleted', entityType: 'notification_channel', entityId: id })
      return { id }
    })
  }

  /** The row as clients see it (secret names only). */
  view(row: ChannelRow): NotificationChannel {
    const { secretEnc, deletedAt: _d, ...rest } = row
    const secretFields = Object.keys(this.open(secretEnc)).sort()
    return { ...rest, hasSecret: secretFields.length > 0, secretFields }
  }

  /** The opened secrets of a sealed value ({} when none). */
  open(sealed: string | null): Record<string, string> {
    return sealed ? JSON.parse(this.deps.pii.open(sealed)) as Record<string, string> : {}
  }

  private seal(secrets: Record<string, string>): string | null {
    return Object.keys(secrets).length ? this.deps.pii.seal(JSON.stringify(secrets)) : null
  }

  /** Robot URLs and SMS URLs, or the SMTP host: each must pass the SSRF guard. */
  private async checkAddresses(kind: ChannelKind, config: Record<string, unknown>): Promise<void> {
    const allow = this.deps.config.WEBHOOK_ALLOW_PRIVATE_URLS
    const [field, url] = kind === 'email'
      ? ['config.host', `http://${String(config.host).includes(':') && !String(config.host).startsWith('[') ? `[${String(config.host)}]` : String(config.host)}/`]
      : ['config.url', typeof config.url === 'string' ? config.url : null]
    if (!url) return
    const problem = await urlProblem(url, allow)
    if (problem) throw new CrmError('CRM_ERR_UNPROCESSABLE', `${field}: ${problem.message}`, [{ field, message: problem.message, code: problem.code }])
  }

  /** A robot posts to one team's group (optional); SMS and email channels belong to no team. */
  private async checkTeam(ex: Executor, kind: ChannelKind, teamId: string | null): Promise<void> {
    if (teamId === null) return
    if (!robots.has(kind)) throw invalid('teamId', 'only a WeCom or DingTalk robot channel belongs to a team', 'NOT_A_ROBOT')
    const [team] = await ex.select({ id: teams.id }).from(teams).where(eq(teams.id, teamId))
    if (!team) throw invalid('teamId', 'no such team', 'NOT_FOUND')
  }

  private async unique<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (err) {
      const v = uniqueViolation(err)
      if (v?.constraint === 'notification_channels_external_id_uq') throw new CrmError('CRM_ERR_CONFLICT', 'externalId: already used by another channel', [{ field: 'externalId', message: 'already used by another channel', code: 'DUPLICATE' }])
      if (v?.constraint === 'notification_channels_default_uq') throw new CrmError('CRM_ERR_CONFLICT', 'isDefault: another channel of this kind became the default at the same time; try again', [{ field: 'isDefault', message: 'another channel of this kind became the default at the same time; try again', code: 'CONFLICT' }])
      throw err
    }
  }
}

/** Settings and secrets checked against the kind's schemas; field paths read `config.url`, `secrets.key`. */
function checkedSettings(kind: ChannelKind, config: Record<string, unknown>, secrets: Record<string, string>) {
  return parse(kindSettings[kind], { config, secrets }) as { config: Record<string, unknown>; secrets: Record<string, string> }
}

function withoutNulls(secrets: Record<string, string | null>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter((e): e is [string, string] => e[1] !== null))
}

function auditView(c: NotificationChannel) {
  const { name, externalId, teamId, config, active, isDefault, secretFields } = c
  return { name, externalId, teamId, config, active, isDefault, secretFields }
}
