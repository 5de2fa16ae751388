import type { ActionContext } from '../../db/action.js'
import type { AccessRecorder } from '../audit/access-recorder.js'

export const roles = ['admin', 'manager', 'sales', 'marketing', 'service', 'integration', 'referrer', 'auditor'] as const
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
  /** Set on API requests while AUDIT_READS is on: notes the clear personal values handed out (src/modules/audit). */
  access?: AccessRecorder
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
