import { CrmError, uniqueViolation } from '../../errors.js'

/** A unique-index violation on externalId (or another unique field) becomes a typed CONFLICT. */
export function asTaken(err: unknown, entity: string): unknown {
  const violation = uniqueViolation(err)
  if (!violation) return err
  const field = violation.constraint.includes('external_id') ? 'externalId'
    : violation.constraint.includes('code') ? 'code'
      : violation.constraint.includes('email') ? 'email' : null
  return new CrmError('CRM_ERR_CONFLICT', `${field ?? 'A unique field'}: another ${entity} already has this value`,
    [{ field, message: `is already used by another ${entity}`, code: 'TAKEN' }])
}
