import { sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { ActionContext } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import type { ConsentRecord } from '../../db/schema/customers.js'
import { fromCustomerRecord } from './consents.views.js'

export type CustomerConsentItem = { customerId: string; consent: ConsentRecord; referralId?: string | null }

/**
 * The customer's `consent` field (set by create, update, import and a referral's double
 * confirmation) feeds the consent records: each time it is set, one record joins the history,
 * in the same transaction (docs/consents.md, "The customer's consent field"). One statement per batch.
 */
export async function recordCustomerConsents(ex: Executor, ctx: ActionContext, items: readonly CustomerConsentItem[], source?: 'import'): Promise<void> {
  if (items.length === 0) return
  const values = items.map(({ customerId, consent, referralId }) => {
    const { purpose, channel } = fromCustomerRecord(consent)
    const from = referralId ? 'referral_confirmation' : source ?? (ctx.actorType === 'api_key' ? 'api' : 'staff')
    return {
      id: uuidv7(), customer_id: customerId, purpose, channel, granted: consent.granted, source: from,
      proof: from === 'import' ? 'customer import' : null,
      note: consent.note ?? `the customer record's consent (${consent.purpose} via ${consent.channel})`.slice(0, 1000),
      occurred_at: consent.at, actor_type: ctx.actorType, actor_id: ctx.actorId, referral_id: referralId ?? null
    }
  })
  await ex.execute(sql`
    insert into consent_records (id, customer_id, purpose, channel, granted, source, proof, note, occurred_at, actor_type, actor_id, referral_id)
    select r.id, r.customer_id, r.purpose::consent_purpose, r.channel::consent_channel, r.granted, r.source::consent_source, r.proof, r.note, r.occurred_at,
      r.actor_type, r.actor_id, r.referral_id
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as r(id uuid, customer_id uuid, purpose text, channel text, granted boolean, source text,
      proof text, note text, occurred_at timestamptz, actor_type text, actor_id uuid, referral_id uuid)`)
}
