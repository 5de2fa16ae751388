import { and, eq, inArray, isNull, or, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { notificationChannels as channels } from '../../db/schema/messages.js'
import type { PiiCipher } from '../../lib/pii.js'
import type { ChannelKind, ChannelSettings } from './adapters/types.js'
import type { ClaimedMessage } from './delivery.queue.js'

/** The channel a message goes out on, or why it cannot (recorded as the message's failure reason). */
export type ResolvedChannel = { ok: true; id: string | null; settings: ChannelSettings } | { ok: false; reason: 'channel_inactive' | 'no_channel' }

/**
 * Resolves the channels of a batch of claimed messages in one query: the channel a message
 * names (deleted or inactive: `channel_inactive`); else, for a team, its robot of that kind;
 * else the default of the kind (database, then environment); else `no_channel`.
 */
export async function resolveChannels(ex: Executor, pii: PiiCipher, batch: readonly ClaimedMessage[], fromEnv: Partial<Record<ChannelKind, ChannelSettings>>): Promise<ResolvedChannel[]> {
  if (batch.length === 0) return []
  const ids = [...new Set(batch.map((m) => m.channelId).filter((id): id is string => id !== null))]
  const teamIds = [...new Set(batch.filter((m) => !m.channelId && m.teamId).map((m) => m.teamId!))]
  const wanted: SQL[] = [and(eq(channels.isDefault, true), isNull(channels.deletedAt))!]
  if (ids.length) wanted.push(inArray(channels.id, ids))
  if (teamIds.length) wanted.push(and(inArray(channels.teamId, teamIds), isNull(channels.deletedAt))!)
  const found = await ex.select().from(channels).where(or(...wanted)).orderBy(channels.createdAt)
  const settings = (row: typeof found[number]): ChannelSettings => ({
    kind: row.kind, config: row.config, secrets: row.secretEnc ? JSON.parse(pii.open(row.secretEnc)) as Record<string, string> : {}
  })
  const usable = (row: typeof found[number] | undefined) => row !== undefined && row.active && row.deletedAt === null
  return batch.map((m): ResolvedChannel => {
    if (m.channelId) {
      const row = found.find((c) => c.id === m.channelId)
      return row && usable(row) ? { ok: true, id: row.id, settings: settings(row) } : { ok: false, reason: 'channel_inactive' }
    }
    const team = m.teamId ? found.find((c) => c.teamId === m.teamId && c.kind === m.channelKind && usable(c)) : undefined
    if (team) return { ok: true, id: team.id, settings: settings(team) }
    const byDefault = found.find((c) => c.isDefault && c.kind === m.channelKind && usable(c))
    if (byDefault) return { ok: true, id: byDefault.id, settings: settings(byDefault) }
    const env = fromEnv[m.channelKind]
    return env ? { ok: true, id: null, settings: env } : { ok: false, reason: 'no_channel' }
  })
}
