import { and, eq, lte } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { idempotencyKeys } from '../../db/schema/idempotency-keys.js'
import type { ServiceDeps } from '../service-deps.js'

/** The first request's claim on a key. `createdAt` fences it: a later takeover gets a new one, and this claim's writes then match nothing. */
export type IdempotencyClaim = { scope: string; key: string; createdAt: Date }

/** What a replay sends back. */
export type StoredResponse = { status: number; headers: Record<string, string>; body: string }

export type ClaimResult =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; response: StoredResponse }
  /** The key was first used for a different request. */
  | { kind: 'mismatch' }
  /** The first request is still running (or the claim is contended): retry shortly. */
  | { kind: 'in_flight' }

const HOUR = 3_600_000
const PURGE_BATCH = 5000

/**
 * Idempotency-Key records (docs/idempotency.md). Concurrent requests with one key race in
 * the database (insert ... on conflict do nothing, then conditional updates), so exactly
 * one of them runs, in any number of processes. Stored bodies are sealed with the PII
 * cipher: an answer may carry personal data or a secret shown once.
 */
export class IdempotencyService {
  private readonly ttlMs: number
  readonly lockMs: number

  constructor(private readonly deps: ServiceDeps) {
    this.ttlMs = deps.config.IDEMPOTENCY_TTL_HOURS * HOUR
    this.lockMs = deps.config.IDEMPOTENCY_LOCK_SECONDS * 1000
  }

  /** Claims (scope, key) for a request with this fingerprint, or says what to answer instead. */
  async claim(scope: string, key: string, requestHash: string, now: Date): Promise<ClaimResult> {
    const { db } = this.deps
    const match = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key))
    const fresh = this.fresh(requestHash, now)
    // A few rounds: the row may be released or expire between our statements.
    for (let round = 0; round < 3; round++) {
      const [inserted] = await db.insert(idempotencyKeys).values({ scope, key, ...fresh })
        .onConflictDoNothing().returning({ createdAt: idempotencyKeys.createdAt })
      if (inserted) return this.claimed(scope, key, now)
      const [row] = await db.select().from(idempotencyKeys).where(match)
      if (!row) continue
      if (row.expiresAt <= now) {
        // Past its TTL the key is anyone's again, for any request.
        if (await this.takeOver(and(match, lte(idempotencyKeys.expiresAt, now)), fresh)) return this.claimed(scope, key, now)
        continue
      }
      if (row.requestHash !== requestHash) return { kind: 'mismatch' }
      if (row.state === 'done') return { kind: 'replay', response: this.opened(row) }
      if (row.lockedUntil && row.lockedUntil > now) return { kind: 'in_flight' }
      // In flight, but its lock ran out: the request died (its process crashed); run it again.
      const abandoned = and(match, eq(idempotencyKeys.state, 'in_flight'), eq(idempotencyKeys.requestHash, requestHash), lte(idempotencyKeys.lockedUntil, now))
      if (await this.takeOver(abandoned, fresh)) return this.claimed(scope, key, now)
    }
    return { kind: 'in_flight' }
  }

  /**
   * Stores the answer for replays; false when the claim was lost (taken over) meanwhile.
   * `ex`: the request's own transaction when it wrote, so the answer commits with the writes.
   */
  async complete(claim: IdempotencyClaim, response: StoredResponse, ex: Executor = this.deps.db): Promise<boolean> {
    const rows = await ex.update(idempotencyKeys).set({
      state: 'done', responseStatus: response.status, responseHeaders: response.headers,
      responseBody: this.deps.pii.seal(response.body), lockedUntil: null
    }).where(this.owned(claim)).returning({ key: idempotencyKeys.key })
    return rows.length > 0
  }

  /** Forgets the claim, so the client may retry with the same key (after a 5xx, say). */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.deps.db.delete(idempotencyKeys).where(this.owned(claim))
  }

  /** Keeps a long request's claim alive; false when it was lost. */
  async extend(claim: IdempotencyClaim, now: Date): Promise<boolean> {
    const rows = await this.deps.db.update(idempotencyKeys).set({ lockedUntil: new Date(now.getTime() + this.lockMs) })
      .where(this.owned(claim)).returning({ key: idempotencyKeys.key })
    return rows.length > 0
  }

  /** Deletes the records past their TTL as of `now` (the purge job), in batches. */
  async purgeExpired(now: Date): Promise<{ purged: number }> {
    const at = now.toISOString()
    let purged = 0
    for (;;) {
      const rows = await this.deps.raw(
        `delete from idempotency_keys where (scope, key) in (
           select scope, key from idempotency_keys
           where expires_at <= $1 and (state = 'done' or locked_until is null or locked_until <= $1)
           limit ${PURGE_BATCH})
         returning 1`, [at])
      purged += rows.length
      if (rows.length < PURGE_BATCH) return { purged }
    }
  }

  private fresh(requestHash: string, now: Date) {
    return {
      requestHash, state: 'in_flight', responseStatus: null, responseHeaders: null, responseBody: null,
      createdAt: now, lockedUntil: new Date(now.getTime() + this.lockMs), expiresAt: new Date(now.getTime() + this.ttlMs)
    }
  }

  private claimed(scope: string, key: string, now: Date): ClaimResult {
    return { kind: 'claimed', claim: { scope, key, createdAt: now } }
  }

  private async takeOver(where: ReturnType<typeof and>, fresh: ReturnType<IdempotencyService['fresh']>): Promise<boolean> {
    const rows = await this.deps.db.update(idempotencyKeys).set(fresh).where(where).returning({ key: idempotencyKeys.key })
    return rows.length > 0
  }

  private owned(claim: IdempotencyClaim) {
    return and(eq(idempotencyKeys.scope, claim.scope), eq(idempotencyKeys.key, claim.key),
      eq(idempotencyKeys.state, 'in_flight'), eq(idempotencyKeys.createdAt, claim.createdAt))
  }

  private opened(row: typeof idempotencyKeys.$inferSelect): StoredResponse {
    return { status: row.responseStatus ?? 200, headers: row.responseHeaders ?? {}, body: row.responseBody ? this.deps.pii.open(row.responseBody) : '' }
  }
}
