import { sql, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { customers } from '../../db/schema/customers.js'
import { invalid } from '../../errors.js'
import { BASE_LEVEL_ID } from './levels.schemas.js'

/**
 * The member level as a condition elsewhere: the customers filter and saved audiences
 * (`levelKeys`), and incentive rules (`customerLevels`). Keys are validated by their schema
 * (lower-case letters, digits, _), so an array literal of them is safe.
 */

const keyArray = (keys: readonly string[]) => sql`${`{${keys.join(',')}}`}::text[]`

/**
 * Customers at any of these levels: an indexed look-up of the customer's level row, or, for
 * a customer that never moved, the base level's key.
 */
export function levelKeysCondition(keys: readonly string[]): SQL {
  const list = keyArray(keys)
  return sql`(exists (select 1 from customer_levels cl join member_levels ml on ml.id = cl.level_id
      where cl.customer_id = ${customers.id} and ml.key = any(${list}))
    or (not exists (select 1 from customer_levels cl where cl.customer_id = ${customers.id})
      and exists (select 1 from member_levels b where b.id = ${BASE_LEVEL_ID}::uuid and b.key = any(${list}))))`
}

/** The key of the customer's level (the base level's when it never moved). */
export async function levelKeyOf(ex: Executor, customerId: string): Promise<string | null> {
  const [row] = await rows<{ key: string }>(ex, sql`
    select ml.key from member_levels ml
    where ml.id = coalesce((select cl.level_id from customer_levels cl where cl.customer_id = ${customerId}::uuid), ${BASE_LEVEL_ID}::uuid)`)
  return row?.key ?? null
}

/** Each key must name a level (inactive ones too: a rule may be written before its level opens). */
export async function assertLevelKeys(ex: Executor, keys: readonly string[], field: string): Promise<void> {
  if (keys.length === 0) return
  const found = await rows<{ key: string }>(ex, sql`select key from member_levels where deleted_at is null and key = any(${keyArray(keys)})`)
  const known = new Set(found.map((r) => r.key))
  const missing = keys.filter((k) => !known.has(k))
  if (missing.length) throw invalid(field, `names no member level: ${missing.join(', ')}`, 'UNKNOWN_LEVEL')
}
