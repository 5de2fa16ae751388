import { asTaken } from '../common/unique.js'
import { customersRepository as repo, type CustomerInsert, type CustomerRow } from './customers.repository.js'

/** Inserts a customer; a unique value another customer holds (externalId) is a typed TAKEN error, not a 500. */
export async function insertUnique(tx: Parameters<typeof repo.insert>[0], values: CustomerInsert): Promise<CustomerRow> {
  try {
    return await repo.insert(tx, values)
  } catch (err) {
    throw asTaken(err, 'customer')
  }
}

/** Updates a customer, with the same mapping of unique violations as insertUnique. */
export async function updateUnique(tx: Parameters<typeof repo.update>[0], id: string, values: Partial<CustomerInsert>): Promise<CustomerRow> {
  try {
    return (await repo.update(tx, id, values))!
  } catch (err) {
    throw asTaken(err, 'customer')
  }
}
