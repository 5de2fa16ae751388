import { forbidden } from '../../errors.js'
import type { Actor, Role } from './actor.js'

export const entities = [
  'customers', 'referrers', 'leads', 'opportunities', 'campaigns', 'activities', 'tasks',
  'users', 'teams', 'apiKeys', 'routing', 'referrals', 'orders', 'incentiveRules', 'rewards', 'scoring', 'webhooks', 'analytics',
  'tickets', 'surveys',
  // Points accounts, redemptions and coupons in use; and the loyalty set-up: levels, earning rules, coupon templates and batches.
  'loyalty', 'loyaltyConfig',
  // The audit trail (writes and reads of personal data): read only, by admins and auditors; nobody writes it through the API.
  'audit'
] as const
export type Entity = (typeof entities)[number]

/**
 * How far a role reaches: every record, its team's (owner is the caller or a team
 * mate), its own, the referrer's own (referrer tokens), or nothing.
 */
export type Reach = 'all' | 'team' | 'own' | 'self' | 'none'
type Grant = { read: Reach; write: Reach }

const all: Grant = { read: 'all', write: 'all' }
const readAll: Grant = { read: 'all', write: 'none' }
const team: Grant = { read: 'team', write: 'team' }
const none: Grant = { read: 'none', write: 'none' }
const readOnly: Grant = { read: 'all', write: 'none' }

const matrix: Record<Role, Record<Entity, Grant>> = {
  admin: { customers: all, referrers: all, leads: all, opportunities: all, campaigns: all, activities: all, tasks: all, users: all, teams: all, apiKeys: all, routing: all, referrals: all, orders: all, incentiveRules: all, rewards: all, scoring: all, webhooks: all, analytics: all, tickets: all, surveys: all, loyalty: all, loyaltyConfig: all, audit: readOnly },
  manager: { customers: all, referrers: all, leads: all, opportunities: all, campaigns: all, activities: all, tasks: all, users: readAll, teams: readAll, apiKeys: none, routing: all, referrals: all, orders: all, incentiveRules: all, rewards: all, scoring: all, webhooks: none,
    // Reports cover the manager's team (docs/analytics.md, "Reach").
    analytics: { read: 'team', write: 'none' },
    // Tickets assigned to the team or queued for it (docs/service.md, "Reach").
    tickets: team, surveys: all, loyalty: all, loyaltyConfig: all, audit: none },
  sales: {
    customers: team, referrers: { read: 'all', write: 'team' }, leads: team, opportunities: team,
    campaigns: readAll, activities: team, tasks: team, users: readAll, teams: readAll, apiKeys: none, routing: readAll,
    // A referral is the team's when its lead's owner or its referrer's relationship owner is.
    referrals: team,
    // Orders come from the ERP: read those of the team's customers, never written by hand.
    orders: { read: 'team', write: 'none' },
    // Rules are readable (to tell referrers what they can earn); the ledger is finance's.
    incentiveRules: readAll, rewards: none,
    // Scoring runs: who may see them; segment counts follow the customers grant.
    scoring: readAll,
    // Webhook endpoints (URLs and secrets) are an admin's: schema/95-webhooks.graphql.
    webhooks: none,
    // Reports over what the rep may see: their team's leads, opportunities and customers.
    analytics: { read: 'team', write: 'none' },
    // The tickets and survey answers of customers the rep may see, read only (docs/service.md).
    tickets: { read: 'team', write: 'none' }, surveys: { read: 'team', write: 'none' },
    // The points and coupons of customers the rep may see, read only; the level and coupon set-up, read.
    loyalty: { read: 'team', write: 'none' }, loyaltyConfig: readAll, audit: none
  },
  marketing: {
    customers: readAll, referrers: all, leads: readAll, opportunities: readAll, campaigns: all,
    activities: readAll, tasks: { read: 'own', write: 'own' }, users: readAll, teams: readAll, apiKeys: none, routing: readAll, referrals: readAll,
    orders: readAll, incentiveRules: all, rewards: readAll, scoring: all, webhooks: none, analytics: readAll,
    tickets: readAll, surveys: all,
    // Marketing designs levels, earning rules and coupon templates and issues coupons to campaigns.
    loyalty: readAll, loyaltyConfig: all, audit: none
  },
  service: {
    customers: all, referrers: readAll, leads: readAll, opportunities: readAll, campaigns: readAll,
    activities: all, tasks: all, users: readAll, teams: readAll, apiKeys: none, routing: readAll, referrals: all,
    orders: readAll, incentiveRules: readAll, rewards: none, scoring: readAll, webhooks: none, analytics: readAll,
    // Service works tickets and runs the surveys that follow them.
    tickets: all, surveys: all,
    // Goodwill: service adjusts points and voids or reissues coupons, but does not design the programme.
    loyalty: all, loyaltyConfig: readAll, audit: none
  },
  integration: { customers: all, referrers: all, leads: all, opportunities: all, campaigns: all, activities: all, tasks: all, users: readAll, teams: readAll, apiKeys: none, routing: readAll, referrals: all, orders: all, incentiveRules: all, rewards: all, scoring: all, webhooks: none, analytics: readAll, tickets: all, surveys: all, loyalty: all, loyaltyConfig: all, audit: none },
  referrer: {
    customers: none, referrers: { read: 'self', write: 'none' }, leads: none, opportunities: none,
    campaigns: none, activities: none, tasks: none, users: none, teams: none, apiKeys: none, routing: none,
    // Its own referrals only: it lists them and submits as itself.
    referrals: { read: 'self', write: 'self' },
    orders: none,
    // Its own rewards (where it is the beneficiary), read only.
    incentiveRules: none, rewards: { read: 'self', write: 'none' }, scoring: none, webhooks: none,
    // Only its own place on the leaderboard, beside masked names (docs/analytics.md).
    analytics: { read: 'self', write: 'none' },
    tickets: none, surveys: none,
    // Its own points account and ledger.
    loyalty: { read: 'self', write: 'none' }, loyaltyConfig: none, audit: none
  },
  // An auditor (PIPL, internal control) reads every record and the audit trail, writes
  // nothing, and is not a PII reader: phones and emails masked everywhere. API keys (their
  // names, roles and use, never secrets) are readable: who had access is an auditor's question.
  // Webhook endpoints stay an admin's (their URLs can carry credentials).
  auditor: {
    customers: readAll, referrers: readAll, leads: readAll, opportunities: readAll, campaigns: readAll, activities: readAll,
    tasks: readAll, users: readAll, teams: readAll, apiKeys: readAll, routing: readAll, referrals: readAll, orders: readAll,
    incentiveRules: readAll, rewards: readAll, scoring: readAll, webhooks: none, analytics: readAll, tickets: readAll,
    surveys: readAll, loyalty: readAll, loyaltyConfig: readAll, audit: readOnly
  }
}

/** Roles that may read personal data (phone, email) in clear; others see it masked. */
const piiReaders: ReadonlySet<Role> = new Set(['admin', 'manager', 'sales', 'service', 'integration'])

export function canReadPii(actor: Actor): boolean {
  return piiReaders.has(actor.role)
}

/**
 * The reach the actor has for this operation, or FORBIDDEN. Services turn the reach
 * into a row filter, so an object outside it is simply not found (404, no hint).
 */
export function authorize(actor: Actor, entity: Entity, op: 'read' | 'write'): Reach {
  if (actor.entities && !actor.entities.includes(entity)) throw forbidden(`This key may not access ${entity}`)
  if (op === 'write' && actor.readOnly) throw forbidden('This key is read-only')
  const reach = matrix[actor.role][entity][op]
  if (reach === 'none') throw forbidden(`Role ${actor.role} may not ${op} ${entity}`)
  // A team or own reach needs a staff user to compare owners with.
  if ((reach === 'team' || reach === 'own') && !actor.userId) throw forbidden(`Role ${actor.role} needs a key bound to a user`)
  return reach
}
