import { and, eq, getTableColumns, isNull, ne, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { notificationChannels as channels } from '../../db/schema/messages.js'
import type { ChannelKind } from './adapters/types.js'

export type ChannelRow = typeof channels.$inferSelect
export type ChannelInsert = typeof channels.$inferInsert

const live = isNull(channels.deletedAt)

/** Notification channels' statements. Rows carry the sealed secret: the service turns them into views. */
export const channelsRepository = {
  async byId(ex: Executor, id: string): Promise<ChannelRow | undefined> {
    const [row] = await ex.select().from(channels).where(and(eq(channels.id, id), live))
    return row
  },

  async lock(ex: Executor, id: string): Promise<ChannelRow | undefined> {
    const [row] = await ex.select().from(channels).where(and(eq(channels.id, id), live)).for('update')
    return row
  },

  page: (ex: Executor, keyset: Keyset, kind?: ChannelKind) =>
    selectPage(ex, channels, getTableColumns(channels), [live, kind ? eq(channels.kind, kind) : undefined], keyset),

  count: (ex: Executor, kind?: ChannelKind) => countWhere(ex, channels, [live, ...(kind ? [eq(channels.kind, kind)] : [])] as SQL[]),

  async insert(ex: Executor, values: ChannelInsert): Promise<ChannelRow> {
    const [row] = await ex.insert(channels).values(values).returning()
    return row
  },

  /** Bumps the version and updatedAt. */
  async update(ex: Executor, id: string, values: Partial<ChannelInsert>): Promise<ChannelRow> {
    const [row] = await ex.update(channels)
      .set({ ...values, version: sql`${channels.version} + 1`, updatedAt: new Date() })
      .where(eq(channels.id, id)).returning()
    return row
  },

  /** The one default of a kind: the others of that kind stop being it. */
  async clearDefault(ex: Executor, kind: ChannelKind, exceptId: string | null): Promise<void> {
    await ex.update(channels)
      .set({ isDefault: false, version: sql`${channels.version} + 1`, updatedAt: new Date() })
      .where(and(eq(channels.kind, kind), eq(channels.isDefault, true), live, ...(exceptId ? [ne(channels.id, exceptId)] : [])))
  }
}
