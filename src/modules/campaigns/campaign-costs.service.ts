import { eq, isNull } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { campaignCosts } from '../../db/schema/campaigns.js'
import { CrmError, invalid, notFound } from '../../errors.js'
import { parseLocalDate } from '../../rules/report-period.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { campaignsRepository } from './campaigns.repository.js'
import { CampaignsService } from './campaigns.service.js'
import { campaignCostsRepository as repo, type CampaignCostRow } from './campaign-costs.repository.js'
import { CampaignCostCreate } from './campaign-costs.schemas.js'

export type CampaignCost = ReturnType<typeof toView>

/**
 * A campaign's costs other than rewards (ads, printing, gifts, ...): they make the campaign's
 * total cost and ROI (docs/analytics.md, "Campaign performance"). Whoever may write campaigns
 * records them; whoever may read the campaign lists them.
 */
export class CampaignCostsService {
  private readonly campaigns: CampaignsService

  constructor(private readonly deps: ServiceDeps) {
    this.campaigns = new CampaignsService(deps)
  }

  /**
   * Records one cost in one transaction with its audit entry and `campaign.cost_recorded`.
   * With an externalId already recorded on this campaign, updates that cost instead (created: false).
   */
  async record(actor: Actor, campaignId: string, input: unknown): Promise<{ cost: CampaignCost; created: boolean }> {
    authorize(actor, 'campaigns', 'write')
    const data = parse(CampaignCostCreate, input)
    if (!parseLocalDate(data.incurredOn)) throw invalid('incurredOn', 'is not a calendar date (YYYY-MM-DD)', 'INVALID_DATE')
    const category = data.category.trim()
    const values = {
      amount: data.amount, currency: data.currency ?? 'CNY', category, incurredOn: data.incurredOn, note: data.note ?? null
    }
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const campaign = isUuid(campaignId) ? await campaignsRepository.lock(tx, campaignId, this.campaigns.scope(actor, 'write')) : undefined
      if (!campaign) throw notFound('Campaign', campaignId)
      const existing = data.externalId ? await repo.byExternalId(tx, data.externalId) : undefined
      if (existing && (existing.campaignId !== campaignId || existing.deletedAt)) {
        throw new CrmError('CRM_ERR_CONFLICT', 'externalId: another campaign cost already has this value',
          [{ field: 'externalId', message: 'is already used by another campaign cost', code: 'TAKEN' }])
      }
      if (existing) {
        const after = await repo.update(tx, existing.id, values)
        audit({ action: 'campaign.cost_updated', entityType: 'campaign', entityId: campaignId, changes: { before: toView(existing), after: toView(after) } })
        return { cost: toView(after), created: false }
      }
      let row: CampaignCostRow
      try {
        row = await repo.insert(tx, { ...values, campaignId, externalId: data.externalId ?? null, createdBy: actor.userId })
      } catch (err) {
        throw asTaken(err, 'campaign cost')
      }
      audit({ action: 'campaign.cost_recorded', entityType: 'campaign', entityId: campaignId, changes: toView(row) })
      emit({ type: 'campaign.cost_recorded', entityType: 'campaign', entityId: campaignId, data: { cost: toView(row) } })
      return { cost: toView(row), created: true }
    })
  }

  /** A keyset page of one campaign's costs, latest incurredOn first; NOT_FOUND for an unknown or deleted campaign. */
  async list(actor: Actor, campaignId: string, page: PageRequest) {
    await this.campaigns.get(actor, campaignId)
    const keyset = new Keyset('incurredOn', campaignCosts.incurredOn, campaignCosts.id, 'DESC', page)
    const where = [eq(campaignCosts.campaignId, campaignId), isNull(campaignCosts.deletedAt)]
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return { ...result, rows: result.rows.map((r) => toView(r as CampaignCostRow)), count: () => repo.count(this.deps.db, where) }
  }

  /** Soft-deletes a mistaken cost: it leaves the list and every report. */
  async delete(actor: Actor, campaignId: string, costId: string): Promise<{ id: string }> {
    authorize(actor, 'campaigns', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const campaign = isUuid(campaignId) ? await campaignsRepository.lock(tx, campaignId, this.campaigns.scope(actor, 'write')) : undefined
      const cost = campaign && isUuid(costId) ? await repo.byId(tx, costId) : undefined
      if (!cost || cost.campaignId !== campaignId || cost.deletedAt) throw notFound('Campaign cost', costId)
      await repo.update(tx, costId, { deletedAt: new Date() })
      audit({ action: 'campaign.cost_deleted', entityType: 'campaign', entityId: campaignId, changes: toView(cost) })
      return { id: costId }
    })
  }

  /** The campaign a cost belongs to (for GraphQL deleteCampaignCost, which names only the cost). */
  async campaignOf(actor: Actor, costId: string): Promise<string> {
    authorize(actor, 'campaigns', 'write')
    const cost = isUuid(costId) ? await repo.byId(this.deps.db, costId) : undefined
    if (!cost || cost.deletedAt) throw notFound('Campaign cost', costId)
    return cost.campaignId
  }
}

function toView(row: CampaignCostRow) {
  const { deletedAt: _d, ...rest } = row
  return rest
}
