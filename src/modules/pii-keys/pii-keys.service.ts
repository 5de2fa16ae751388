import { runAction } from '../../db/action.js'
import { forbidden } from '../../errors.js'
import type { JobIo } from '../../jobs/job.js'
import { actionContext, type Actor } from '../auth/actor.js'
import type { ServiceDeps } from '../service-deps.js'
import { sealedTables } from './pii-keys.columns.js'
import { resealBatch, staleCounts } from './pii-keys.reseal.js'

/** Sealed values still under a key other than the current one, by place and key. */
export type PiiKeyStatus = {
  currentKeyId: string
  /** Ids of PII_KEYS_PREVIOUS, in order. */
  previousKeyIds: string[]
  /** Values not under the current key: 0 means PII_KEYS_PREVIOUS can be removed. */
  staleValues: number
  stale: { table: string; column: string; keyId: string; count: number }[]
}

export type ResealResult = { tables: number; rows: number; values: number; failed: number }

/**
 * PII key rotation (docs/security.md, "Personal-data keys and their rotation"): how far it
 * has come, and the re-seal that moves every sealed value and blind index to the current key.
 */
export class PiiKeysService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Admin only: which keys are configured and how many values each old key still holds. */
  async status(actor: Actor): Promise<PiiKeyStatus> {
    if (actor.role !== 'admin') throw forbidden('Only admins see the personal-data key status')
    return this.currentStatus()
  }

  async currentStatus(): Promise<PiiKeyStatus> {
    const { pii, db } = this.deps
    const stale: PiiKeyStatus['stale'] = []
    for (const t of await sealedTables(db)) {
      for (const c of await staleCounts(db, t, pii)) stale.push({ table: t.table, ...c })
    }
    return {
      currentKeyId: pii.keyId, previousKeyIds: pii.previousKeyIds,
      staleValues: stale.reduce((n, s) => n + s.count, 0), stale
    }
  }

  /** Admin only: the request to re-seal now is audited; the caller queues the job (or runs `reseal`). */
  async requestReseal(actor: Actor): Promise<void> {
    if (actor.role !== 'admin') throw forbidden('Only admins start the personal-data re-seal')
    await runAction(this.deps.db, actionContext(actor), async ({ audit }) => {
      audit({ action: 'pii.reseal_requested', entityType: 'pii_key', entityId: null, changes: { currentKeyId: this.deps.pii.keyId, previousKeyIds: this.deps.pii.previousKeyIds } })
    })
  }

  /**
   * One pass over every sealed column: each value under an old key (or in the v1 form) sealed
   * again with the current key and its blind index rebuilt, PII_RESEAL_BATCH rows per
   * transaction. Does nothing while no previous key is configured (nothing to rotate from).
   */
  async reseal(io?: JobIo): Promise<ResealResult | { skipped: string }> {
    const { db, pii, config } = this.deps
    if (pii.previousKeyIds.length === 0) return { skipped: 'no PII_KEYS_PREVIOUS configured' }
    const result: ResealResult = { tables: 0, rows: 0, values: 0, failed: 0 }
    for (const t of await sealedTables(db)) {
      result.tables++
      let after: unknown[] | null = null
      for (;;) {
        const batch = await resealBatch(db, pii, t, after, config.PII_RESEAL_BATCH)
        result.rows += batch.rows
        result.values += batch.values
        for (const f of batch.failed) {
          result.failed++
          io?.itemFailed(f.error, { table: t.table, column: f.column, key: f.key.join(',') })
        }
        if (!batch.lastKey) break
        after = batch.lastKey
      }
    }
    return result
  }
}
