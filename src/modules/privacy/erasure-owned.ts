import { sql } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { isSealedColumn, quoteIdent, uuidArray, type TextColumn } from './erasure-columns.js'
import { ERASED, ERASED_NAME } from './erasure-scrub.js'
import { subjectTables, type SubjectRecords } from './erasure-subject.js'

/** Personal fields of a person's own records beside the sealed ones; gone, whatever table has them. */
const PERSONAL = new Set(['birthday', 'address', 'company', 'title', 'note', 'rejection_detail', 'source_ip', 'status_reason', 'external_id'])

/**
 * Destroys the personal fields of the person's own records: every sealed value, blind index
 * and mask (found by column name, so an ID number added later goes too), the name (a
 * placeholder), address, company, title, birthday, notes, custom attributes and the
 * externalId (the tombstone remembers it). Kept for the statistics: ids, links, status,
 * amounts, dates, industry, region, gender, tier, stage and tags.
 */
export async function eraseOwnRecords(ex: Executor, columns: TextColumn[], ids: SubjectRecords): Promise<void> {
  const dateColumns = new Set(['birthday'])
  for (const table of subjectTables) {
    if (ids[table].length === 0) continue
    const cols = columns.filter((c) => c.table === table)
    const sets = cols.flatMap((c) => {
      const ident = sql.raw(quoteIdent(c.column))
      if (c.column === 'name') return [sql`${ident} = ${ERASED_NAME}`]
      if (c.column === 'attributes' && c.kind === 'jsonb') return [sql`${ident} = '{}'::jsonb`]
      // Consent facts stay (granted, when, purpose); what proves them or says more goes.
      if (c.column === 'consent' && c.kind === 'jsonb') return [sql`${ident} = ${ident} - 'note' - 'ip' - 'userAgent' - 'proof'`]
      if ((isSealedColumn(c.column) || PERSONAL.has(c.column)) && c.nullable) return [sql`${ident} = null`]
      return []
    })
    // birthday is a date, not text: the catalogue query above lists only text columns.
    if (table === 'customers') {
      for (const d of dateColumns) sets.push(sql`${sql.raw(quoteIdent(d))} = null`)
      // The mark a merge checks: an erased record is never refilled from another (ownership.service.ts).
      sets.push(sql`erased_at = coalesce(erased_at, now())`)
    }
    await ex.execute(sql`update ${sql.raw(table)} set ${sql.join(sets, sql`, `)}, version = version + 1, updated_at = now() where id = any(${uuidArray(ids[table])})`)
  }
}

/**
 * Free text the person's records own: activities about them (or their deals), their tickets
 * and the tickets' comments, survey comments, consent proofs and notes. The rows stay (counts,
 * SLA figures and scores do not move); their words go. Referral claims (attribution keys by
 * blind index) are deleted: they exist only to match this person's contact details.
 */
export async function eraseOwnedText(ex: Executor, ids: SubjectRecords): Promise<void> {
  const c = uuidArray(ids.customers), r = uuidArray(ids.referrers), f = uuidArray(ids.referrals), l = uuidArray(ids.leads)
  await ex.execute(sql`update activities set subject = case when subject is null then null else ${ERASED} end, body = case when body is null then null else ${ERASED} end
    where customer_id = any(${c}) or referrer_id = any(${r}) or lead_id = any(${l}) or opportunity_id in (select id from opportunities where customer_id = any(${c}))`)
  await ex.execute(sql`update ticket_comments set body = ${ERASED} where ticket_id in (select id from tickets where customer_id = any(${c}))`)
  await ex.execute(sql`update tickets set subject = ${ERASED}, description = case when description is null then null else ${ERASED} end where customer_id = any(${c})`)
  await ex.execute(sql`update survey_responses set comment = null where customer_id = any(${c}) and comment is not null`)
  await ex.execute(sql`update consent_records set proof = null, note = null
    where (customer_id = any(${c}) or referrer_id = any(${r}) or referral_id = any(${f})) and (proof is not null or note is not null)`)
  await ex.execute(sql`delete from referral_claims where referral_id = any(${f})`)
}
