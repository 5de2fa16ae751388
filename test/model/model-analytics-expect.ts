import type { Actor, Model, MOpportunity, MReferral } from './model-state.js'

/**
 * What the reports must say, computed from the model alone (docs/analytics.md). Every record
 * the model test makes is made "now", inside the default period (the last 30 local days), so a
 * figure "in the period" is a figure over everything; only campaign costs carry other days.
 * Figures the model does not know (times, revenue attribution, reward cost) are not stated.
 */
export const OPEN_STAGES = ['initial_contact', 'needs_assessment', 'proposal', 'negotiation'] as const
const ORDER = [...OPEN_STAGES, 'won', 'lost']
const PROBABILITY: Record<string, number> = { initial_contact: 10, needs_assessment: 25, proposal: 50, negotiation: 75, won: 100, lost: 0 }

/** Report reach (docs/analytics.md, "Reach"): everything, the caller's team by owner, or refused. */
export function reportReach(a: Actor): 'all' | 'team' | 'forbidden' {
  if (['admin', 'marketing', 'service', 'integration'].includes(a.role)) return 'all'
  if (a.role === 'manager' || a.role === 'sales') return 'team'
  return 'forbidden'
}

export function ownerInReach(m: Model, a: Actor, owner: string | null | undefined): boolean {
  const reach = reportReach(a)
  return reach === 'all' || (reach === 'team' && m.inTeam(a, owner ?? null))
}

/** Neither it nor its customer deleted; its customer not merged away (a merge moves it to the survivor). */
export function liveOpportunity(m: Model, o: MOpportunity): boolean {
  const c = m.customers.get(o.customerId)
  return !o.deleted && !!c && !c.deleted && !c.merged
}

export type StageFigures = { stage: string; count: number; cny: number; weightedCny: number }
export type Conversion = { stage: string; entered: number; advanced: number; won: number; lost: number }

function stageFigures(opps: MOpportunity[]): StageFigures[] {
  return OPEN_STAGES.map((stage) => {
    const mine = opps.filter((o) => o.stage === stage)
    const cny = mine.reduce((n, o) => n + o.amount, 0)
    const weightedCny = Math.round(mine.reduce((n, o) => n + o.amount * PROBABILITY[o.stage], 0) / 100)
    return { stage, count: mine.length, cny, weightedCny }
  })
}

/** Stage-to-stage conversion from each opportunity's history (all of it inside the period). */
function conversion(opps: MOpportunity[]): Conversion[] {
  return OPEN_STAGES.map((stage) => {
    const out = { stage, entered: 0, advanced: 0, won: 0, lost: 0 }
    for (const o of opps) {
      const first = o.history.indexOf(stage)
      if (first < 0) continue
      const later = o.history.slice(first + 1)
      out.entered++
      if (later.some((s) => s !== 'lost' && ORDER.indexOf(s) > ORDER.indexOf(stage))) out.advanced++
      if (later.includes('won')) out.won++
      if (later.includes('lost')) out.lost++
    }
    return out
  })
}

export function expectedPipeline(m: Model, a: Actor): { stages: StageFigures[]; conversion: Conversion[] } {
  const opps = [...m.opportunities.values()].filter((o) => liveOpportunity(m, o) && ownerInReach(m, a, o.ownerId))
  return { stages: stageFigures(opps.filter((o) => !['won', 'lost'].includes(o.stage))), conversion: conversion(opps) }
}

export type RepFigures = {
  leadsAssigned: number; opportunitiesOpened: number; won: number; lost: number; wonCny: number
  activities: number; customersOwned: number; open: StageFigures[]
}

/** One rep's figures: records they own now (activities they authored). */
export function expectedRep(m: Model, userId: string): RepFigures {
  const opps = [...m.opportunities.values()].filter((o) => liveOpportunity(m, o) && o.ownerId === userId)
  const won = opps.filter((o) => o.stage === 'won')
  return {
    leadsAssigned: [...m.leads.values()].filter((l) => !l.deleted && l.ownerId === userId).length,
    opportunitiesOpened: opps.length,
    won: won.length,
    lost: opps.filter((o) => o.stage === 'lost').length,
    wonCny: won.reduce((n, o) => n + o.amount, 0),
    activities: [...m.activities.values()].filter((x) => x.authorId === userId).length,
    customersOwned: [...m.customers.values()].filter((c) => !c.deleted && !c.merged && c.ownerId === userId).length,
    open: stageFigures(opps.filter((o) => !['won', 'lost'].includes(o.stage)))
  }
}

export function hasFigure(f: RepFigures): boolean {
  return f.leadsAssigned + f.opportunitiesOpened + f.activities + f.customersOwned > 0
}

export type CampaignFigures = {
  participants: number; referrals: number; leads: number; conversions: number; attributedRevenue: Record<string, number>; otherCosts: Record<string, number>
}

/** One live campaign's figures within the caller's reach (docs/analytics.md, "Campaign performance", "Reach"). */
export function expectedCampaign(m: Model, a: Actor, campaignId: string): CampaignFigures {
  const referralInReach = (leadId: string | null, referrerId: string) =>
    ownerInReach(m, a, leadId ? m.leads.get(leadId)?.ownerId : null) || ownerInReach(m, a, m.referrers.get(referrerId)?.ownerId)
  const mine = [...m.referrals.values()].filter((r) => r.campaignId === campaignId && referralInReach(r.leadId, r.referrerId))
  const submitted = mine.filter((r) => r.submitted)
  const otherCosts: Record<string, number> = {}
  const campaign = m.campaigns.get(campaignId)!
  if (ownerInReach(m, a, campaign.ownerId)) {
    for (const k of m.costs.values()) {
      // The default period: today and the 29 days before it.
      if (k.campaignId !== campaignId || k.deleted || k.day > 0 || k.day < -29) continue
      otherCosts[k.currency] = (otherCosts[k.currency] ?? 0) + k.amount
    }
  }
  // Orders the app attributed to the campaign, on a live customer in reach: paid minus refunded (all of it now). Zero sums are left out.
  let revenue = 0
  for (const o of m.orders.values()) {
    const c = m.customers.get(o.customerId)
    if (o.campaignId === campaignId && c && !c.deleted && !c.merged && ownerInReach(m, a, c.ownerId)) revenue += o.amount - o.refunded
  }
  return {
    participants: new Set(submitted.map((r) => r.referrerId)).size,
    referrals: submitted.length,
    leads: [...m.leads.values()].filter((l) => !l.deleted && l.campaignId === campaignId && ownerInReach(m, a, l.ownerId)).length,
    conversions: mine.filter((r) => r.status === 'converted').length,
    attributedRevenue: revenue ? { CNY: revenue } : {},
    otherCosts
  }
}

/** A referral in a manager's or sales rep's reach: its lead's owner or its referrer's relationship owner in the team. */
function referralInReach(m: Model, a: Actor, r: MReferral): boolean {
  return ownerInReach(m, a, r.leadId ? m.leads.get(r.leadId)?.ownerId : null) || ownerInReach(m, a, m.referrers.get(r.referrerId)?.ownerId)
}

/** referralFunnel (cohort, default period): `submitted` = accepted on arrival, `consented` = reached submitted (no later step comes without it). */
export function expectedFunnel(m: Model, a: Actor): { submitted: number; consented: number } {
  const mine = [...m.referrals.values()].filter((r) => r.accepted && referralInReach(m, a, r))
  return { submitted: mine.length, consented: mine.filter((r) => r.submitted).length }
}

/** Referrals submitted per live referrer (relationship owner in reach; a referrer token ranks against all). */
export function expectedLeaderboard(m: Model, a: Actor): Map<string, number> {
  const out = new Map<string, number>()
  for (const f of m.referrers.values()) {
    if (f.deleted || (a.role !== 'referrer' && !ownerInReach(m, a, f.ownerId))) continue
    out.set(f.id, [...m.referrals.values()].filter((r) => r.referrerId === f.id && r.submitted).length)
  }
  return out
}

/** Competition rank by referrals: one more than the referrers with more. */
export function rankOf(board: Map<string, number>, n: number): number {
  return 1 + [...board.values()].filter((x) => x > n).length
}

export type KpiFigures = { leadConversionRate: number | null; activeReferrers: number; repurchaseRate: number | null; customersPerRep: number | null }

/** The KPIs the model knows (docs/analytics.md, "KPIs"); the previous period is empty. */
export function expectedKpis(m: Model, a: Actor): KpiFigures {
  const leads = [...m.leads.values()].filter((l) => !l.deleted && ownerInReach(m, a, l.ownerId))
  const converted = leads.filter((l) => l.status === 'converted').length
  const active = [...m.referrers.values()].filter((f) => !f.deleted && ownerInReach(m, a, f.ownerId)
    && [...m.referrals.values()].some((r) => r.referrerId === f.id && r.submitted)).length
  const customers = [...m.customers.values()].filter((c) => !c.deleted && !c.merged && ownerInReach(m, a, c.ownerId))
  // Paid orders not fully refunded, per customer (a merge moved them to the survivor).
  const paid = customers.map((c) => [...m.orders.values()].filter((o) => o.customerId === c.id && o.refunded < o.amount).length)
  const buyers = paid.filter((n) => n >= 1).length
  const owned = customers.filter((c) => c.ownerId !== null)
  const owners = new Set(owned.map((c) => c.ownerId)).size
  return {
    leadConversionRate: leads.length ? converted / leads.length : null,
    activeReferrers: active,
    repurchaseRate: buyers ? paid.filter((n) => n >= 2).length / buyers : null,
    customersPerRep: owners ? owned.length / owners : null
  }
}
