import { customers } from '../../db/schema/customers.js'
import { CrmError, type FieldError } from '../../errors.js'
import type { Executor } from '../../db/client.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { asTaken } from '../common/unique.js'
import { leadsRepository as repo, referenceTables, type LeadInsert, type LeadRow, type ReferenceField } from './leads.repository.js'

const referenceFields = Object.keys(referenceTables) as ReferenceField[]

/**
 * Every referrer, campaign and customer a lead is linked to must exist; a customer must
 * also be one the caller may see, so a link cannot probe for others' customers.
 * Links left unchanged (same as `before`) are not checked again.
 */
export async function checkReferences(
  ex: Executor, actor: Actor, data: Partial<Record<ReferenceField, string | null>>, before?: LeadRow
): Promise<void> {
  const errors: FieldError[] = []
  for (const field of referenceFields) {
    const id = data[field]
    if (typeof id !== 'string' || before?.[field] === id) continue
    const scope = field === 'customerId'
      ? reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
      : undefined
    if (!(await repo.referenceExists(ex, field, id, scope))) errors.push({ field, message: 'does not name an existing record', code: 'UNKNOWN_REFERENCE' })
  }
  if (errors.length > 0) {
    throw new CrmError('CRM_ERR_VALIDATION', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors)
  }
}

/** Insert, with a taken externalId reported as CONFLICT / TAKEN. */
export async function insertUnique(ex: Executor, values: LeadInsert): Promise<LeadRow> {
  try {
    return await repo.insert(ex, values)
  } catch (err) {
    throw asTaken(err, 'lead')
  }
}

/** Update, with a taken externalId reported as CONFLICT / TAKEN. */
export async function updateUnique(ex: Executor, id: string, values: Partial<LeadInsert>): Promise<LeadRow> {
  try {
    return (await repo.update(ex, id, values))!
  } catch (err) {
    throw asTaken(err, 'lead')
  }
}
