/**
 * The baselines of the automation benchmark, hand-written set-based SQL doing the same writes
 * as the engine (same columns, same values, ids aside), and the digests that compare them.
 *   enrollSql  the audience snapshot and the enrollments of everyone in the segment, one statement
 *   stepSql    for every due enrollment at the message step: consent (latest marketing record on
 *              sms or any, a withdrawal winning a tie), address and frequency caps (day / week,
 *              all channels and sms) in SQL, the contact locks, one messages row each with the
 *              rendered content and its unsubscribe link (HMAC in SQL), the step runs and the
 *              enrollments' end, one statement
 */
import { hkdfSync } from 'node:crypto'
import { IDS, SEGMENT } from './seed.js'

/** The unsubscribe URL of message `id` (an SQL uuid expression), as src/modules/consents/unsubscribe-token.ts makes it: HMAC-SHA256 under the PII index key. */
export function unsubscribeUrlSql(piiKey: Buffer, baseUrl: string, id: string): string {
  const indexKey = Buffer.from(hkdfSync('sha256', piiKey, Buffer.alloc(0), 'crm-pii-blind-index-v1', 32))
  const block = Buffer.concat([indexKey, Buffer.alloc(64 - indexKey.length)])
  const pad = (b: number) => `'\\x${Buffer.from(block.map((x) => x ^ b)).toString('hex')}'::bytea`
  const mac = `translate(substr(encode(sha256(${pad(0x5c)} || sha256(${pad(0x36)} || convert_to('unsubscribe-v1:' || (${id})::text, 'UTF8'))), 'base64'), 1, 32), '+/', '-_')`
  return `'${baseUrl.replace(/\/+$/, '')}/api/v1/public/unsubscribe/' || (${id})::text || '.' || ${mac}`
}

const J = `'${IDS.journey}'::uuid`

export const enrollSql = (at: string) => `
  with came as (
    insert into journey_audience_members (journey_id, customer_id, since)
    select ${J}, c.id, '${at}'::timestamptz from customers c join customer_scores s on s.customer_id = c.id
    where s.segment = '${SEGMENT}' and c.deleted_at is null
    returning customer_id
  ), enrolled as (
    insert into journey_enrollments (id, journey_id, version, customer_id, entry_seq, status, step_key, due_at, trigger_kind, entered_at)
    select crm_uuidv7(), ${J}, 1, customer_id, 1, 'active', 'care', '${at}'::timestamptz, 'audience_enter', '${at}'::timestamptz from came
    returning 1
  ), scanned as (update journeys set scanned_at = '${at}'::timestamptz where id = ${J})
  select count(*)::int as n from enrolled`

export function stepSql(at: string, piiKey: Buffer, baseUrl: string): string {
  const now = `'${at}'::timestamptz`
  const capped = `d.day >= 1 or d.week >= 3 or d.sms_day >= 1 or d.sms_week >= 3`
  return `
  with due as (
    select e.id, e.customer_id, e.steps_run + 1 as seq, e.journey_id, e.version, e.step_key from journey_enrollments e
    where e.journey_id = ${J} and e.status = 'active' and e.due_at <= ${now} and e.step_key = 'care'
  ), d as (
    select due.*, c.name, c.phone_enc is not null as has_phone, coalesce(k.granted, false) as consent,
      coalesce(m.day, 0) as day, coalesce(m.week, 0) as week, coalesce(m.sms_day, 0) as sms_day, coalesce(m.sms_week, 0) as sms_week
    from due join customers c on c.id = due.customer_id and c.deleted_at is null
    left join lateral (
      select r.granted from consent_records r where r.customer_id = due.customer_id and r.purpose = 'marketing' and r.channel in ('sms', 'any')
      order by r.occurred_at desc, r.granted asc limit 1) k on true
    left join lateral (
      select count(*) filter (where x.created_at > ${now} - interval '1 day') as day, count(*) as week,
        count(*) filter (where x.channel_kind = 'sms' and x.created_at > ${now} - interval '1 day') as sms_day,
        count(*) filter (where x.channel_kind = 'sms') as sms_week
      from messages x where x.customer_id = due.customer_id and x.purpose = 'marketing' and x.status in ('queued', 'held', 'sent')
        and x.created_at > ${now} - interval '7 days') m on true
  ), dec as (
    select d.*, crm_uuidv7() as mid,
      case when not d.has_phone or not d.consent then 'blocked' when ${capped} then 'capped' else 'queued' end as status,
      case when not d.has_phone then 'no_address' when not d.consent then 'no_consent' when d.day >= 1 then 'daily_cap' when d.week >= 3 then 'weekly_cap'
        when d.sms_day >= 1 then 'channel_daily_cap' when d.sms_week >= 3 then 'channel_weekly_cap' end as reason
    from d
  ), urls as (select dec.*, ${unsubscribeUrlSql(piiKey, baseUrl, 'dec.mid')} as url from dec),
  locks as (
    insert into contact_locks (customer_id, locked_at) select customer_id, now() from dec where has_phone and consent order by customer_id
    on conflict (customer_id) do update set locked_at = excluded.locked_at
  ), msgs as (
    insert into messages (id, dedupe_key, channel_id, channel_kind, template_id, purpose, recipient_kind, customer_id, language, context, content,
      status, reason, send_after, next_attempt_at, journey_id, journey_version, enrollment_id, step_key, created_at, updated_at)
    select u.mid, 'journey:' || u.id || ':' || u.seq, '${IDS.channel}', 'sms', t.id, 'marketing', 'customer', u.customer_id, t.language,
      jsonb_build_object('customerId', u.customer_id),
      case when u.status <> 'blocked' then jsonb_build_object(
        'text', replace(replace(t.body, '{{customer.name}}', u.name), '{{unsubscribeUrl}}', u.url),
        'params', jsonb_build_object('customer_name', u.name, 'unsubscribeUrl', u.url)) end,
      u.status::message_status, u.reason, null, case when u.status = 'queued' then ${now} end, u.journey_id, u.version, u.id, u.step_key, ${now}, ${now}
    from urls u cross join message_templates t where t.id = '${IDS.template}'
  ), runs as (
    insert into journey_step_runs (id, enrollment_id, journey_id, version, seq, step_key, step_type, outcome, reason, detail, ran_at)
    select crm_uuidv7(), id, journey_id, version, seq, step_key, 'message', (case when status = 'queued' then 'completed' else status end)::journey_step_outcome,
      reason, jsonb_build_object('messageId', mid, 'status', status), ${now}
    from dec
  ), moved as (
    update journey_enrollments e set step_key = null, due_at = null, status = 'completed', exit_reason = null, steps_run = e.steps_run + 1, finished_at = ${now}
    from dec where e.id = dec.id returning 1
  )
  select count(*)::int as n from moved`
}

/** What the enrollment phase wrote, ids aside. */
export const ENROLL_DIGEST = `select
  (select count(*) from journey_enrollments)::int as enrollments,
  (select count(*) from journey_audience_members)::int as snapshot,
  (select md5(string_agg(customer_id::text || version || entry_seq || status || step_key || due_at || coalesce(trigger_event_id::text, '') || trigger_kind || entered_at, ',' order by customer_id))
     from journey_enrollments) as "enrollment rows",
  (select md5(string_agg(journey_id::text || customer_id::text || since, ',' order by customer_id)) from journey_audience_members) as "snapshot rows",
  (select scanned_at::text from journeys where id = ${J}) as scanned`

/** What the step phase wrote, ids aside; the unsubscribe links are checked against the HMAC in SQL, then left out of the comparison. */
export const stepDigest = (piiKey: Buffer, baseUrl: string) => `select
  (select count(*) from messages where journey_id is not null)::int as messages,
  (select count(*) from messages where journey_id is not null and content is not null)::int as "with content",
  (select count(*) from messages m where journey_id is not null and content is not null and content->'params'->>'unsubscribeUrl' = ${unsubscribeUrlSql(piiKey, baseUrl, 'm.id')}
     and content->>'text' like '%' || (content->'params'->>'unsubscribeUrl'))::int as "genuine links",
  (select count(*) from messages m join journey_enrollments e on e.id = m.enrollment_id and e.customer_id = m.customer_id
     where m.dedupe_key = 'journey:' || e.id || ':1')::int as "keyed to their enrollment",
  (select jsonb_object_agg(k, n order by k) from (select status || coalesce(':' || reason, '') as k, count(*)::int as n from messages where journey_id is not null group by 1) s)::text as outcomes,
  (select md5(string_agg(customer_id::text || status || coalesce(reason, '') || channel_id || template_id || purpose || recipient_kind || language || context::text
       || coalesce(regexp_replace(content::text, '/unsubscribe/[^"]*', '/unsubscribe/…', 'g'), '') || coalesce(send_after::text, '') || coalesce(next_attempt_at::text, '')
       || journey_version || step_key || created_at, ',' order by customer_id)) from messages where journey_id is not null) as "message rows",
  (select md5(string_agg(e.customer_id::text || r.seq || r.step_key || r.step_type || r.outcome || coalesce(r.reason, '') || (r.detail->>'status') || (m.id is not null) || r.ran_at, ',' order by e.customer_id))
     from journey_step_runs r join journey_enrollments e on e.id = r.enrollment_id left join messages m on m.id = (r.detail->>'messageId')::uuid and m.enrollment_id = e.id) as "step runs",
  (select md5(string_agg(customer_id::text || status || coalesce(step_key, '') || steps_run || coalesce(due_at::text, '') || coalesce(finished_at::text, '') || coalesce(exit_reason, ''), ',' order by customer_id))
     from journey_enrollments) as "enrollments after",
  (select count(*) from contact_locks)::int as "contact locks"`
