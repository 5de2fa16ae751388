import { sql } from 'drizzle-orm'
import { orders } from '../../db/schema/orders.js'
import { insertedRow, insertShape, statement } from '../../db/statement.js'
import type { Executor } from '../../db/client.js'
import type { OrderInsert, OrderRow } from './orders.views.js'

/**
 * The two statements every recordOrder runs, each of fixed text (rendered once, prepared
 * per connection; docs/performance.md): the customer with what the order is attributed
 * to, and the insert that is idempotent on externalId.
 */

/** A customer as an order needs it: where it went if merged, and who referred it. */
export type CustomerFacts = {
  id: string
  ownerId: string | null
  deleted: boolean
  mergedIntoId: string | null
  referrerId: string | null
  referralId: string | null
  /** The referral's own referrer and campaign (null without a referral). */
  referralReferrerId: string | null
  referralCampaignId: string | null
  /** Whether an active survey follows a paid order: read here, so an order pays no extra statement when none does. */
  orderSurveys: boolean
  /** Whether an active points earning rule exists, and whether member levels beyond the base do: the same reason. */
  earnsPoints: boolean
  memberLevels: boolean
}

const factsColumns = sql`c.id, c.owner_id, c.deleted_at is not null, c.merged_into_id, c.referrer_id, c.referred_by_referral_id, r.referrer_id, r.campaign_id,
  exists (select 1 from surveys s where s.trigger = 'order_paid' and s.active and s.deleted_at is null),
  exists (select 1 from points_earning_rules p where p.active and p.deleted_at is null),
  (select count(*) > 1 from member_levels m where m.active and m.deleted_at is null)
  from customers c left join referrals r on r.id = c.referred_by_referral_id`

const decodeFacts = (row: unknown[]): CustomerFacts => ({
  id: row[0] as string, ownerId: row[1] as string | null, deleted: row[2] as boolean, mergedIntoId: row[3] as string | null,
  referrerId: row[4] as string | null, referralId: row[5] as string | null,
  referralReferrerId: row[6] as string | null, referralCampaignId: row[7] as string | null, orderSurveys: row[8] as boolean,
  earnsPoints: row[9] as boolean, memberLevels: row[10] as boolean
})

const factsById = statement<{ id: string }, CustomerFacts>('order_customer_by_id',
  () => sql`select ${factsColumns} where c.id = ${sql.placeholder('id')}::uuid`, decodeFacts)
const factsByExternalId = statement<{ externalId: string }, CustomerFacts>('order_customer_by_external_id',
  () => sql`select ${factsColumns} where c.external_id = ${sql.placeholder('externalId')}`, decodeFacts)

/** The customer (deleted and merged ones too: the caller decides), by id or by the caller's id. */
export async function customerFacts(ex: Executor, key: { id: string } | { externalId: string }): Promise<CustomerFacts | undefined> {
  const [row] = 'id' in key ? await factsById(ex, key) : await factsByExternalId(ex, key)
  return row
}

const orderColumns = [
  'id', 'externalId', 'createdAt', 'updatedAt', 'customerId', 'referralId', 'referrerId', 'campaignId',
  'amount', 'currency', 'paidAt', 'note', 'attributes'
] as const satisfies readonly (keyof OrderInsert)[]
export type OrderValues = Pick<OrderInsert, (typeof orderColumns)[number]>

const shape = insertShape(orders, orderColumns)
const orderRow = insertedRow(orders)

// `on conflict do nothing`: a concurrent insert of the same externalId makes this one wait
// for it, then insert nothing; the caller then reads the winner's row.
const insertStatement = statement<Record<string, unknown>, string>('order_insert', () => sql`
  insert into ${orders} (${shape.columns}) values (${shape.placeholders})
  on conflict (external_id) do nothing
  returning id`, (row) => row[0] as string)

/**
 * Inserts the order unless its externalId is taken: the row as stored, or null when
 * another order already has the externalId. A missing campaign is the caller's mistake:
 * the foreign key's error is left for the caller to map.
 */
export async function insertOrder(ex: Executor, values: OrderValues): Promise<OrderRow | null> {
  const row = orderRow(values)
  const inserted = await insertStatement(ex, shape.encode(row))
  return inserted.length > 0 ? row : null
}
