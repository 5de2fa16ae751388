import { and, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { webhookEndpoints as endpoints } from '../../db/schema/webhooks.js'

export type EndpointRow = typeof endpoints.$inferSelect
export type EndpointInsert = typeof endpoints.$inferInsert
/** What callers see: no secret ciphertext, no deletedAt. */
export type WebhookEndpoint = Omit<EndpointRow, 'secretEnc' | 'previousSecretEnc' | 'deletedAt'>

// Reads select these only, so a sealed secret never leaves the repository by accident.
const view = {
  id: endpoints.id, url: endpoints.url, description: endpoints.description, eventTypes: endpoints.eventTypes,
  active: endpoints.active, disabledReason: endpoints.disabledReason, disabledAt: endpoints.disabledAt,
  failingSince: endpoints.failingSince, previousSecretExpiresAt: endpoints.previousSecretExpiresAt,
  version: endpoints.version, createdAt: endpoints.createdAt, updatedAt: endpoints.updatedAt
}

const live = isNull(endpoints.deletedAt)

export const webhookEndpointsRepository = {
  async byId(ex: Executor, id: string): Promise<WebhookEndpoint | undefined> {
    const [row] = await ex.select(view).from(endpoints).where(and(eq(endpoints.id, id), live))
    return row
  },

  /** The whole row (sealed secrets included), locked for the rest of the transaction. */
  async lock(ex: Executor, id: string): Promise<EndpointRow | undefined> {
    const [row] = await ex.select().from(endpoints).where(and(eq(endpoints.id, id), live)).for('update')
    return row
  },

  page: (ex: Executor, keyset: Keyset) => selectPage(ex, endpoints, view, [live], keyset),

  count: (ex: Executor) => countWhere(ex, endpoints, [live] as SQL[]),

  async insert(ex: Executor, values: EndpointInsert): Promise<WebhookEndpoint> {
    const [row] = await ex.insert(endpoints).values(values).returning(view)
    return row
  },

  /** Bumps the version and updatedAt. */
  async update(ex: Executor, id: string, values: Partial<EndpointInsert>): Promise<WebhookEndpoint> {
    const [row] = await ex.update(endpoints)
      .set({ ...values, version: sql`${endpoints.version} + 1`, updatedAt: new Date() })
      .where(eq(endpoints.id, id)).returning(view)
    return row
  }
}
