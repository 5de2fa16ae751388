import type { FastifyPluginAsync } from 'fastify'
import type { IResolvers, MercuriusLoaders } from 'mercurius'
import type { Services } from './services.js'
import customers from './customers/index.js'
import users from './users/index.js'
import referrers from './referrers/index.js'
import leads from './leads/index.js'
import opportunities from './opportunities/index.js'
import campaigns from './campaigns/index.js'
import activities from './activities/index.js'
import tasks from './tasks/index.js'
import ownership from './ownership/index.js'
import routing from './routing/index.js'
import referrals from './referrals/index.js'
import orders from './orders/index.js'
import incentives from './incentives/index.js'
import scoring from './scoring/index.js'
import bulk from './bulk/index.js'
import duplicates from './duplicates/index.js'
import webhooks from './webhooks/index.js'
import analytics from './analytics/index.js'
import tickets from './tickets/index.js'
import ticketRouting from './tickets/routing/index.js'
import ticketSla from './tickets/sla/index.js'
import surveys from './surveys/index.js'
import points from './points/index.js'
import coupons from './coupons/index.js'
import levels from './levels/index.js'
import notify from './notifications/channels.module.js'
import automation from './automation/index.js'
import messageTemplates from './notifications/templates.module.js'
import consents from './consents/index.js'
import privacyExport from './privacy/export.module.js'
import privacyErasure from './privacy/erasure.module.js'

/** What a domain area contributes to the app: REST routes, resolvers, loaders. */
export type CrmModule = {
  name: string
  routes?: FastifyPluginAsync<{ services: Services }>
  resolvers?: IResolvers
  loaders?: MercuriusLoaders
}

export const modules: CrmModule[] = [
  users,
  customers,
  referrers,
  leads,
  opportunities,
  ...campaigns,
  activities,
  tasks,
  ownership,
  routing,
  referrals,
  orders,
  incentives,
  scoring,
  ...webhooks,
  bulk,
  duplicates,
  analytics,
  tickets,
  ticketRouting,
  ticketSla,
  surveys,
  points,
  levels,
  coupons,
  ...notify,
  automation,
  messageTemplates,
  consents,
  privacyExport,
  privacyErasure
]

/** Resolvers and loaders of all areas, merged per GraphQL type (areas may add fields to each other's types). */
export function mergeGraphql(list: CrmModule[]): { resolvers: IResolvers; loaders: MercuriusLoaders } {
  const resolvers: Record<string, Record<string, unknown>> = {}
  const loaders: Record<string, Record<string, unknown>> = {}
  for (const m of list) {
    for (const [type, fields] of Object.entries(m.resolvers ?? {})) {
      resolvers[type] = mergeFields(resolvers[type], fields as Record<string, unknown>, `${m.name}: resolver ${type}`)
    }
    for (const [type, fields] of Object.entries(m.loaders ?? {})) {
      loaders[type] = mergeFields(loaders[type], fields as Record<string, unknown>, `${m.name}: loader ${type}`)
    }
  }
  return { resolvers: resolvers as IResolvers, loaders: loaders as MercuriusLoaders }
}

function mergeFields(into: Record<string, unknown> | undefined, add: Record<string, unknown>, where: string): Record<string, unknown> {
  // Scalars are objects of their own, not field maps: keep them whole.
  if (typeof (add as { serialize?: unknown }).serialize === 'function') return add
  const out = { ...(into ?? {}) }
  for (const [field, value] of Object.entries(add)) {
    if (field in out) throw new Error(`${where}.${field} is defined twice`)
    out[field] = value
  }
  return out
}
