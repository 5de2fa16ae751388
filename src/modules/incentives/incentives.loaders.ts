import type { MercuriusContext } from 'mercurius'
import { actorOf, byForeignKey, nullIfForbidden, type Load, type LoaderQuery } from '../../graphql/context.js'
import type { Campaign } from '../campaigns/campaigns.service.js'
import type { Referral } from '../referrals/referrals.service.js'
import type { Referrer } from '../referrers/referrers.service.js'
import type { IncentiveRuleView } from './incentive-rules.service.js'
import type { NestedRewards, Reward } from './rewards.service.js'

const rules: Load<IncentiveRuleView> = nullIfForbidden((ctx, ids) => ctx.services.incentiveRules.findMany(actorOf(ctx), ids))
const campaigns: Load<Campaign> = nullIfForbidden((ctx, ids) => ctx.services.campaigns.findMany(actorOf(ctx), ids))
type PageArgs = Omit<NestedRewards, 'referrerId'>

/** Every relation of rules and rewards, and the fields this area adds to Campaign and Referrer: one query per batch. */
export const incentivesLoaders = {
  IncentiveRule: {
    campaign: byForeignKey<IncentiveRuleView, Campaign>((r) => r.campaignId, campaigns)
  },
  Reward: {
    rule: byForeignKey<Reward, IncentiveRuleView>((r) => r.ruleId, rules),
    referrer: byForeignKey<Reward, Referrer>((r) => r.referrerId, nullIfForbidden((ctx, ids) => ctx.services.referrers.findMany(actorOf(ctx), ids))),
    referral: byForeignKey<Reward, Referral>((r) => r.referralId, nullIfForbidden((ctx, ids) => ctx.services.referrals.findMany(actorOf(ctx), ids))),
    campaign: byForeignKey<Reward, Campaign>((r) => r.campaignId, campaigns)
  },
  Campaign: {
    rules: async (queries: LoaderQuery<Campaign, { active?: boolean | null }>[], ctx: MercuriusContext) => {
      const byActive = new Map<string, LoaderQuery<Campaign, { active?: boolean | null }>[]>()
      for (const q of queries) byActive.set(String(q.params.active ?? ''), [...(byActive.get(String(q.params.active ?? '')) ?? []), q])
      const answers = new Map<LoaderQuery<Campaign, { active?: boolean | null }>, IncentiveRuleView[]>()
      for (const group of byActive.values()) {
        const lists = await ctx.services.incentiveRules.ofCampaigns(actorOf(ctx), group.map((q) => q.obj.id), group[0].params.active ?? undefined)
        group.forEach((q, i) => answers.set(q, lists[i]))
      }
      return queries.map((q) => answers.get(q)!)
    }
  },
  Referrer: {
    rewards: (queries: LoaderQuery<Referrer, PageArgs>[], ctx: MercuriusContext) =>
      ctx.services.rewards.perReferrer(actorOf(ctx), queries.map((q) => ({ ...q.params, referrerId: q.obj.id })))
  }
}
