import { runAction } from '../../db/action.js'
import type { Tx } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { webhookEndpoints } from '../../db/schema/webhooks.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { changedFields } from '../common/changes.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import {
  webhookEndpointsRepository as repo, type EndpointInsert, type EndpointRow, type WebhookEndpoint
} from './webhook-endpoints.repository.js'
import { EndpointCreate, EndpointUpdate } from './webhook-endpoints.schemas.js'
import { isSubscribable } from './webhook-events.js'
import { newWebhookSecret } from './webhook-secrets.js'
import { urlProblem } from './webhook-url.js'

export type { WebhookEndpoint } from './webhook-endpoints.repository.js'
export type WithSecret = { webhookEndpoint: WebhookEndpoint; secret: string }

const auditedFields = ['url', 'description', 'eventTypes', 'active', 'disabledReason', 'disabledAt', 'failingSince'] as const
const HOUR_MS = 3_600_000

/**
 * Webhook endpoints (docs/webhooks.md): where signed events go, which ones, and the secret
 * that signs them. Admins only. A secret leaves the service once, in the answer to create or
 * rotateSecret; audit entries never carry it.
 */
export class WebhookEndpointsService {
  constructor(private readonly deps: ServiceDeps) {}

  /** One live endpoint, or NOT_FOUND. */
  async get(actor: Actor, id: string): Promise<WebhookEndpoint> {
    authorize(actor, 'webhooks', 'read')
    const row = isUuid(id) ? await repo.byId(this.deps.db, id) : undefined
    if (!row) throw notFound('Webhook endpoint', id)
    return row
  }

  /** Live endpoints, oldest first, in keyset pages; `count` runs only if called. */
  async list(actor: Actor, page: PageRequest) {
    authorize(actor, 'webhooks', 'read')
    const keyset = new Keyset('createdAt', webhookEndpoints.createdAt, webhookEndpoints.id, 'ASC', page)
    return { ...keyset.page(await repo.page(this.deps.db, keyset)), count: () => repo.count(this.deps.db) }
  }

  /** Registers an endpoint with a new secret, returned this once. The URL must pass the SSRF guard. */
  async create(actor: Actor, input: unknown): Promise<WithSecret> {
    authorize(actor, 'webhooks', 'write')
    const data = parse(EndpointCreate, input)
    const eventTypes = checkedEventTypes(data.eventTypes)
    const url = await this.checkedUrl(data.url)
    const secret = newWebhookSecret()
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const row = await repo.insert(tx, {
        url, description: data.description ?? null, eventTypes, active: data.active ?? true, secretEnc: this.deps.pii.seal(secret)
      })
      audit({ action: 'webhook_endpoint.created', entityType: 'webhook_endpoint', entityId: row.id, changes: auditView(row) })
      return { webhookEndpoint: row, secret }
    })
  }

  /**
   * Changes the given fields; with expectedVersion, refuses a stale write (412 / STALE_VERSION).
   * Turning an endpoint back on clears why and since when it was off or failing.
   */
  async update(actor: Actor, id: string, input: unknown): Promise<WebhookEndpoint> {
    authorize(actor, 'webhooks', 'write')
    const { expectedVersion, ...data } = parse(EndpointUpdate, input)
    const eventTypes = data.eventTypes === undefined ? undefined : checkedEventTypes(data.eventTypes)
    // Checked before the transaction: a DNS lookup must not hold the row's lock.
    const url = data.url === undefined ? undefined : await this.checkedUrl(data.url)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const before = await this.locked(tx, id, expectedVersion)
      const values: Partial<EndpointInsert> = {
        ...(url !== undefined ? { url } : {}),
        ...(data.description !== undefined ? { description: data.description } : {}),
        ...(eventTypes !== undefined ? { eventTypes } : {}),
        ...(data.active !== undefined ? { active: data.active } : {}),
        ...(data.active && !before.active ? { disabledReason: null, disabledAt: null, failingSince: null } : {})
      }
      const after = await repo.update(tx, id, values)
      const changes = changedFields(auditView(before), auditView(after), auditedFields)
      if (Object.keys(changes).length > 0) audit({ action: 'webhook_endpoint.updated', entityType: 'webhook_endpoint', entityId: id, changes })
      return after
    })
  }

  /**
   * A new secret, returned this once. The current one becomes the previous secret and keeps
   * signing (beside the new one) for WEBHOOK_SECRET_OVERLAP_HOURS; an older previous one ends now.
   */
  async rotateSecret(actor: Actor, id: string, now: Date = new Date()): Promise<WithSecret> {
    authorize(actor, 'webhooks', 'write')
    const secret = newWebhookSecret()
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const before = await this.locked(tx, id)
      const previousSecretExpiresAt = new Date(now.getTime() + this.deps.config.WEBHOOK_SECRET_OVERLAP_HOURS * HOUR_MS)
      const row = await repo.update(tx, id, { secretEnc: this.deps.pii.seal(secret), previousSecretEnc: before.secretEnc, previousSecretExpiresAt })
      audit({ action: 'webhook_endpoint.secret_rotated', entityType: 'webhook_endpoint', entityId: id, changes: { previousSecretExpiresAt } })
      return { webhookEndpoint: row, secret }
    })
  }

  /** Soft delete: no new deliveries; pending ones are never attempted (the engine skips deleted endpoints). */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'webhooks', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      await this.locked(tx, id, expectedVersion)
      await repo.update(tx, id, { deletedAt: new Date() })
      audit({ action: 'webhook_endpoint.deleted', entityType: 'webhook_endpoint', entityId: id })
      return { id }
    })
  }

  private async locked(tx: Tx, id: string, expectedVersion?: number): Promise<EndpointRow> {
    const row = isUuid(id) ? await repo.lock(tx, id) : undefined
    if (!row) throw notFound('Webhook endpoint', id)
    if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('Webhook endpoint', expectedVersion, row.version)
    return row
  }

  /** The URL as stored (trimmed), or 422 with INVALID_URL, UNRESOLVABLE or PRIVATE_ADDRESS. */
  private async checkedUrl(raw: string): Promise<string> {
    const url = raw.trim()
    const problem = await urlProblem(url, this.deps.config.WEBHOOK_ALLOW_PRIVATE_URLS)
    if (problem) throw new CrmError('CRM_ERR_UNPROCESSABLE', `url: ${problem.message}`, [{ field: 'url', message: problem.message, code: problem.code }])
    return url
  }
}

/** Catalogue names (or `entity.*`) without repeats; null stays null (every event). */
function checkedEventTypes(types: string[] | null | undefined): string[] | null {
  if (!types) return null
  const unknown = types.findIndex((type) => !isSubscribable(type))
  if (unknown >= 0) throw invalid(`eventTypes.${unknown}`, `${types[unknown]} is not an event type (docs/webhooks.md lists them)`, 'UNKNOWN_EVENT_TYPE')
  return [...new Set(types)]
}

/** The endpoint as audit entries carry it: what an admin set and the engine's state, never a secret. */
function auditView(row: WebhookEndpoint) {
  const { url, description, eventTypes, active, disabledReason, disabledAt, failingSince } = row
  return { url, description, eventTypes, active, disabledReason, disabledAt, failingSince }
}
