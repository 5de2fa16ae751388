import { and, count, eq, isNull } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { apiKeys } from '../../db/schema/api-keys.js'
import { referrers } from '../../db/schema/referrers.js'
import { users } from '../../db/schema/users.js'
import { CrmError, forbidden, notFound } from '../../errors.js'
import type { Actor } from './actor.js'
import { generateApiKey, hashApiKey, keyPrefix } from './api-key-secret.js'
import { claimsFor, type TokenClaims } from './tokens.js'

export type TokenSigner = (claims: TokenClaims) => string
export type IssuedToken = { accessToken: string; tokenType: 'Bearer'; expiresIn: number }

const unauthenticated = () => new CrmError('CRM_ERR_UNAUTHENTICATED', 'The API key is unknown, revoked or expired')

export class AuthService {
  constructor(private readonly db: Db, private readonly sign: TokenSigner, private readonly ttlSeconds: number) {}

  /** Exchanges an API key for a short-lived access token carrying its role and reach. */
  async issueToken(apiKey: string, now = new Date()): Promise<IssuedToken> {
    const [key] = await this.db
      .select({ key: apiKeys, teamId: users.teamId, userActive: users.active, userDeleted: users.deletedAt })
      .from(apiKeys)
      .leftJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.secretHash, hashApiKey(apiKey)))
    if (!key || key.key.revokedAt || (key.key.expiresAt && key.key.expiresAt <= now)) throw unauthenticated()
    if (key.key.userId && (!key.userActive || key.userDeleted)) throw unauthenticated()
    await this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.key.id))
    const actor: Actor = {
      role: key.key.role,
      userId: key.key.userId,
      teamId: key.teamId ?? null,
      referrerId: null,
      apiKeyId: key.key.id,
      readOnly: key.key.readOnly,
      entities: key.key.entities,
      requestId: null
    }
    return this.token(claimsFor(actor, key.key.userId ?? key.key.id))
  }

  /** A token for one referrer's own frontend session; only integrations and admins issue them. */
  async issueReferrerToken(actor: Actor, referrerId: string): Promise<IssuedToken> {
    if (actor.role !== 'admin' && actor.role !== 'integration') throw forbidden('Only admin or integration callers issue referrer tokens')
    if (actor.readOnly) throw forbidden('This key is read-only')
    const [referrer] = await this.db.select({ id: referrers.id, status: referrers.status }).from(referrers)
      .where(and(eq(referrers.id, referrerId), isNull(referrers.deletedAt)))
    if (!referrer) throw notFound('Referrer', referrerId)
    if (referrer.status !== 'active') throw new CrmError('CRM_ERR_INVALID_TRANSITION', `Referrer is ${referrer.status}`)
    // kid: the issuing key, so revoking it ends the referrer sessions it opened (checked like any key).
    return this.token({ sub: referrer.id, role: 'referrer', rid: referrer.id, ...(actor.apiKeyId ? { kid: actor.apiKeyId } : {}) })
  }

  /** May a referrer's tokens still be used? Only while it is active and not deleted. */
  async referrerIsActive(referrerId: string): Promise<boolean> {
    const [row] = await this.db.select({ status: referrers.status }).from(referrers)
      .where(and(eq(referrers.id, referrerId), isNull(referrers.deletedAt)))
    return row?.status === 'active'
  }

  /** Is the key behind a token still good? Tokens outlive neither their key nor a deactivated user. */
  async keyIsActive(apiKeyId: string, now = new Date()): Promise<boolean> {
    const [key] = await this.db
      .select({ revokedAt: apiKeys.revokedAt, expiresAt: apiKeys.expiresAt, userId: apiKeys.userId, userActive: users.active, userDeleted: users.deletedAt })
      .from(apiKeys).leftJoin(users, eq(users.id, apiKeys.userId)).where(eq(apiKeys.id, apiKeyId))
    if (!key || key.revokedAt || (key.expiresAt && key.expiresAt <= now)) return false
    return !key.userId || (key.userActive === true && !key.userDeleted)
  }

  /**
   * On first start with no key at all, creates an admin key: the given one
   * (BOOTSTRAP_ADMIN_KEY) or a fresh one, returned so it can be logged once.
   */
  async bootstrapAdminKey(given?: string): Promise<string | null> {
    const [{ n }] = await this.db.select({ n: count() }).from(apiKeys)
    if (n > 0) return null
    const key = given ?? generateApiKey()
    await this.db.insert(apiKeys).values({
      name: 'bootstrap admin', prefix: keyPrefix(key), secretHash: hashApiKey(key), role: 'admin'
    }).onConflictDoNothing()
    return key
  }

  private token(claims: TokenClaims): IssuedToken {
    return { accessToken: this.sign(claims), tokenType: 'Bearer', expiresIn: this.ttlSeconds }
  }
}
