import { CrmError, notFound, uniqueViolation } from '../../errors.js'

/** A unique-index violation on externalId (or another unique field) becomes a typed CONFLICT. */
export function asTaken(err: unknown, entity: string): unknown {
  const violation = uniqueViolation(err)
  if (!violation) return err
  const field = violation.constraint.includes('external_id') ? 'externalId'
    : violation.constraint.includes('code') ? 'code'
      : violation.constraint.includes('email') ? 'email' : null
  return taken(field, entity)
}

function taken(field: string | null, entity: string): CrmError {
  return new CrmError('CRM_ERR_CONFLICT', `${field ?? 'A unique field'}: another ${entity} already has this value`,
    [{ field, message: `is already used by another ${entity}`, code: 'TAKEN' }])
}

/**
 * The update half of an upsert by externalId. When the record holding the externalId is outside
 * the caller's write reach, `update` fails with that record's own NOT_FOUND, which would confirm the
 * record and name its id; the caller gets instead exactly what a create with a taken externalId
 * answers (asTaken), the same for a live, deleted or merged record (docs/security.md, "Masking").
 */
export async function upsertUpdate<T>(entity: string, label: string, ids: string[], update: () => Promise<T>): Promise<T> {
  try {
    return await update()
  } catch (err) {
    if (err instanceof CrmError && err.code === 'CRM_ERR_NOT_FOUND' && ids.some((id) => err.message === notFound(label, id).message)) {
      throw taken('externalId', entity)
    }
    throw err
  }
}
