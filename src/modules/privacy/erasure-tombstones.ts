import { inArray } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { privacyTombstones } from '../../db/schema/erasures.js'
import { CrmError } from '../../errors.js'
import type { PiiCipher } from '../../lib/pii.js'

/** The entity types whose externalId an erasure retires: each has an upsert by externalId. */
export type TombstoneEntity = 'customer' | 'referrer' | 'referral' | 'lead'

const subjectOf = (entity: TombstoneEntity, externalId: string) => `erased:${entity}:${externalId}`

/**
 * A tombstone's columns: the subject's blind index (keyed, so the table cannot be matched against
 * a list of known externalIds) and the subject sealed, so a key rotation re-keys it.
 */
export function tombstoneColumns(pii: PiiCipher, entity: TombstoneEntity, externalId: string) {
  const subject = subjectOf(entity, externalId)
  return { subjectIdx: pii.index(subject), subjectEnc: pii.seal(subject) }
}

export const ERASED_CODE = 'ERASED'
export const erasedMessage = 'belongs to a person whose personal data was erased; it cannot be used again'

/** The typed refusal: 409 CONFLICT with field externalId and code ERASED (docs/privacy.md). */
export const erasedConflict = (field = 'externalId') =>
  new CrmError('CRM_ERR_CONFLICT', `${field}: ${erasedMessage}`, [{ field, code: ERASED_CODE, message: erasedMessage }])

/** Which of these externalIds were erased. */
export async function erasedExternalIds(ex: Executor, pii: PiiCipher, entity: TombstoneEntity, externalIds: readonly string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set()
  // Under every configured key: during a rotation a tombstone may still carry a previous key's index.
  const byIndex = new Map(externalIds.flatMap((id) => pii.indexes(subjectOf(entity, id)).map((idx) => [idx, id] as const)))
  const found = await ex.select({ subjectIdx: privacyTombstones.subjectIdx }).from(privacyTombstones).where(inArray(privacyTombstones.subjectIdx, [...byIndex.keys()]))
  return new Set(found.map((f) => byIndex.get(f.subjectIdx)!))
}

/** Refuses an upsert by an erased person's externalId: an erased person does not come back. */
export async function refuseErased(ex: Executor, pii: PiiCipher, entity: TombstoneEntity, externalId: string): Promise<void> {
  if ((await erasedExternalIds(ex, pii, entity, [externalId])).size > 0) throw erasedConflict()
}
