import type { Actor, Role } from './actor.js'

/** The claims of our access tokens (besides iss, aud, iat, exp, which @fastify/jwt adds). */
export type TokenClaims = {
  sub: string
  role: Role
  uid?: string
  tid?: string
  rid?: string
  kid?: string
  ro?: boolean
  ent?: string[]
}

export function claimsFor(actor: Actor, subject: string): TokenClaims {
  return {
    sub: subject,
    role: actor.role,
    ...(actor.userId ? { uid: actor.userId } : {}),
    ...(actor.teamId ? { tid: actor.teamId } : {}),
    ...(actor.referrerId ? { rid: actor.referrerId } : {}),
    ...(actor.apiKeyId ? { kid: actor.apiKeyId } : {}),
    ...(actor.readOnly ? { ro: true } : {}),
    ...(actor.entities ? { ent: actor.entities } : {})
  }
}

export function actorFromClaims(claims: TokenClaims, requestId: string | null): Actor {
  return {
    role: claims.role,
    userId: claims.uid ?? null,
    teamId: claims.tid ?? null,
    referrerId: claims.rid ?? null,
    // On a referrer token kid is the issuing key (checked for revocation); the caller is the referrer, not that key.
    apiKeyId: claims.role === 'referrer' ? null : claims.kid ?? null,
    readOnly: claims.ro === true,
    entities: claims.ent ?? null,
    requestId
  }
}
