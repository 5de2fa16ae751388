import { CrmError, errorCatalog, type FieldError } from '../errors.js'

export type UserErrors = { userErrors: FieldError[] }

/**
 * Runs a mutation's service call. Invalid input and business-rule violations come back
 * as `userErrors` (nothing changed); auth, not-found and internal failures stay GraphQL
 * errors with extensions.code.
 */
export async function payload<T extends object>(run: () => Promise<T>): Promise<(T & UserErrors) | UserErrors> {
  try {
    return { ...(await run()), userErrors: [] }
  } catch (err) {
    if (err instanceof CrmError && errorCatalog[err.code].userError) {
      return { userErrors: err.fieldErrors.length > 0 ? err.fieldErrors : [{ field: null, message: err.message, code: err.code }] }
    }
    throw err
  }
}
