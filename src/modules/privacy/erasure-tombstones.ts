import { inArray } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { privacyTombstones } from '../../db/schema/erasures.js'
import { CrmError } from '../../errors.js'
import type { PiiCipher } from '../../lib/pii.js'

/** The entity types whose externalId an erasure retires: each has an upsert by externalId. */
export type TombstoneEntity = 'customer' | 'referrer' | 'referral' | 'lead'

/** Keyed (the PII index key), so the table cannot be matched against a list of known externalIds. */
export const tombstoneHash = (pii: PiiCipher, entity: TombstoneEntity, externalId: string) => pii.index(`erased:${entity}:${externalId}`)

export const ERASED_CODE = 'ERASED'
export const erasedMessage = 'belongs to a person whose personal data was erased; it cannot be used again'

/** The typed refusal: 409 CONFLICT with field externalId and code ERASED (docs/privacy.md). */
export const erasedConflict = (field = 'externalId') =>
  new CrmError('CRM_ERR_CONFLICT', `${field}: ${erasedMessage}`, [{ field, code: ERASED_CODE, message: erasedMessage }])

/** Which of these externalIds were erased. */
export async function erasedExternalIds(ex: Executor, pii: PiiCipher, entity: TombstoneEntity, externalIds: readonly string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set()
  const byHash = new Map(externalIds.map((id) => [tombstoneHash(pii, entity, id), id]))
  const found = await ex.select({ keyHash: privacyTombstones.keyHash }).from(privacyTombstones).where(inArray(privacyTombstones.keyHash, [...byHash.keys()]))
  return new Set(found.map((f) => byHash.get(f.keyHash)!))
}

/** Refuses an upsert by an erased person's externalId: an erased person does not come back. */
export async function refuseErased(ex: Executor, pii: PiiCipher, entity: TombstoneEntity, externalId: string): Promise<void> {
  if ((await erasedExternalIds(ex, pii, entity, [externalId])).size > 0) throw erasedConflict()
}
