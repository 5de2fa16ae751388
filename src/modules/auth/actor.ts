import type { ActionContext } from '../../db/action.js'

export const roles = ['admin', 'manager', 'sales', 'marketing', 'service', 'integration', 'referrer'] as const
export type Role = (typeof roles)[number]

/** The authenticated caller, as every service method receives it. */
export type Actor = {
  role: Role
  /** The staff user the key belongs to, if any: owner of what they create. */
  userId: string | null
  teamId: string | null
  /** Set only on referrer tokens: the one referrer whose data this caller may see. */
  referrerId: string | null
  apiKeyId: string | null
  readOnly: boolean
  /** When set, the only entity types this caller may touch. */
  entities: string[] | null
  requestId: string | null
}

/** The system itself (bootstrap, jobs): allowed everything, audited as 'system'. */
export const systemActor: Actor = {
  role: 'admin', userId: null, teamId: null, referrerId: null, apiKeyId: null,
  readOnly: false, entities: null, requestId: null
}

export function actionContext(actor: Actor): ActionContext {
  return {
    actorType: actor === systemActor ? 'system' : actor.role === 'referrer' ? 'referrer' : actor.userId ? 'user' : 'api_key',
    actorId: actor.referrerId ?? actor.userId,
    actorRole: actor.role,
    apiKeyId: actor.apiKeyId,
    requestId: actor.requestId
  }
}
