import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import type { Keyset } from '../../db/paging.js'
import { campaignCosts } from '../../db/schema/campaigns.js'

export type CampaignCostRow = typeof campaignCosts.$inferSelect
export type CampaignCostInsert = typeof campaignCosts.$inferInsert

export const campaignCostsRepository = {
  async byId(ex: Executor, id: string): Promise<CampaignCostRow | undefined> {
    const [row] = await ex.select().from(campaignCosts).where(eq(campaignCosts.id, id))
    return row
  },

  /** Includes soft-deleted rows: the externalId stays taken. */
  async byExternalId(ex: Executor, externalId: string): Promise<CampaignCostRow | undefined> {
    const [row] = await ex.select().from(campaignCosts).where(eq(campaignCosts.externalId, externalId)).for('update')
    return row
  },

  page: (ex: Executor, where: SQL[], keyset: Keyset) => selectPage(ex, campaignCosts, getTableColumns(campaignCosts), where, keyset),

  count: (ex: Executor, where: SQL[]) => countWhere(ex, campaignCosts, where),

  async insert(ex: Executor, values: CampaignCostInsert): Promise<CampaignCostRow> {
    const [row] = await ex.insert(campaignCosts).values(values).returning()
    return row
  },

  async update(ex: Executor, id: string, values: Partial<CampaignCostInsert>): Promise<CampaignCostRow> {
    const [row] = await ex.update(campaignCosts)
      .set({ ...values, version: sql`${campaignCosts.version} + 1`, updatedAt: new Date() })
      .where(eq(campaignCosts.id, id))
      .returning()
    return row
  }
}
