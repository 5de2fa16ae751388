/**
 * Automation benchmark data in a few set-based statements (generate_series): `customers`
 * customers in the RFM segment 'At Risk' (the journey's audience) plus a tenth as many in
 * 'Champions' (outside it), an SMS channel (the default), a marketing SMS template carrying
 * {{customer.name}} and {{unsubscribeUrl}}, and one ACTIVE audience journey (enter 'At Risk',
 * includeExisting: its snapshot is empty, so a scan enrolls the whole audience) with one
 * message step. Customer n (1-based, in the audience) is, so the gate's checks do real work:
 *   n % 50 = 0      no phone                                  → blocked no_address
 *   n % 20 = 1      no marketing consent record               → blocked no_consent
 *   n % 20 = 2      SMS marketing granted, later withdrawn    → blocked no_consent
 *   n % 20 = 3      granted on `any`, not on sms              → passes consent
 *   otherwise       SMS marketing granted 30 days ago
 *   n % 25 = 4      one marketing SMS sent 2 hours ago        → capped daily_cap
 *   n % 25 = 6      three marketing SMS sent 2-4 days ago     → capped weekly_cap
 * Every phone is the same sealed number (the gate reads only whether there is one; delivery
 * is not benchmarked), masked per customer. Ids are UUIDv7 made in SQL.
 */
import type { PiiCipher } from '../../../src/lib/pii.js'
import { maskPhone } from '../../../src/rules/contact.js'
import { uuidv7At, type Exec } from '../points/seed.js'

export type AutomationSeed = { customers: number; now: Date; pii: PiiCipher }

export const SEGMENT = 'At Risk'
export const TEMPLATE_BODY = '{{customer.name}}您好，好久不见，本周会员日为您准备了专属礼遇。退订 {{unsubscribeUrl}}'
export const IDS = {
  channel: '01900000-0000-7000-8000-00000000c001',
  template: '01900000-0000-7000-8000-00000000c002',
  journey: '01900000-0000-7000-8000-00000000c003'
}

export async function seedAutomation(exec: Exec, o: AutomationSeed): Promise<Record<string, number>> {
  const now = o.now.getTime()
  const at = `'${o.now.toISOString()}'::timestamptz`
  const total = o.customers + Math.ceil(o.customers / 10)
  const sealed = o.pii.seal('13800138000').replace(/'/g, "''")
  const masked = maskPhone('13800138000').replace(/'/g, "''")
  const indexes = (await exec(`select indexname, indexdef from pg_indexes where schemaname = 'public'
    and tablename in ('customers', 'customer_scores', 'consent_records', 'messages') and indexname not like '%_pkey'`)).rows as { indexname: string; indexdef: string }[]
  for (const ix of indexes) await exec(`drop index ${ix.indexname}`)
  await exec('set session_replication_role = replica')
  await exec('set synchronous_commit = off')
  // Audience customers are n = 1..N (ids ascending with n), the rest N+1..total.
  await exec(`insert into customers (id, name, phone_enc, phone_masked, lifecycle_stage, created_at, updated_at)
    select ${uuidv7At(`${now - 400 * 86_400_000} + g * 10`)}, '客户' || g,
      case when g > ${o.customers} or g % 50 <> 0 then '${sealed}' end, case when g > ${o.customers} or g % 50 <> 0 then '${masked}' end,
      'at_risk', t, t
    from generate_series(1::bigint, ${total}) g cross join lateral (select to_timestamp((${now - 400 * 86_400_000} + g * 10) / 1000.0) as t) c`)
  await exec(`create temporary table bench_n as select id, row_number() over (order by id) as n from customers`)
  await exec(`insert into customer_scores (customer_id, paid_orders, net_paid, r, f, m, segment, computed_at)
    select id, 3, 30000, case when n <= ${o.customers} then 1 else 5 end, 3, 3, case when n <= ${o.customers} then '${SEGMENT}' else 'Champions' end, ${at}
    from bench_n`)
  await exec(`insert into consent_records (id, customer_id, purpose, channel, granted, text_version, source, occurred_at, recorded_at, actor_type)
    select ${uuidv7At(`${now - 30 * 86_400_000} + n`)}, id, 'marketing'::consent_purpose, case when n % 20 = 3 then 'any' else 'sms' end::consent_channel, true, 'privacy-2025-01', 'form'::consent_source,
      ${at} - interval '30 days', ${at} - interval '30 days', 'system'
    from bench_n where n % 20 <> 1
    union all
    select ${uuidv7At(`${now - 5 * 86_400_000} + n`)}, id, 'marketing'::consent_purpose, 'sms'::consent_channel, false, 'privacy-2025-01', 'form'::consent_source, ${at} - interval '5 days', ${at} - interval '5 days', 'system'
    from bench_n where n % 20 = 2`)
  await exec(`insert into notification_channels (id, name, kind, config, active, is_default, created_at, updated_at)
    values ('${IDS.channel}', '短信（基准）', 'sms', '{"url":"https://sms.example.com/send","signName":"会员中心","apiKeyHeader":"X-Api-Key"}', true, true, ${at}, ${at})`)
  await exec(`insert into message_templates (id, key, name, channel_kind, language, purpose, format, body, provider_template_code, variables, active, created_at, updated_at)
    values ('${IDS.template}', 'care', '关怀短信', 'sms', 'zh-CN', 'marketing', 'text', '${TEMPLATE_BODY}', 'SMS_CARE_1', '{customer.name,unsubscribeUrl}', true, ${at}, ${at})`)
  // Earlier marketing messages: the caps' work (their own journey-less rows, already sent).
  await exec(`insert into messages (id, dedupe_key, channel_id, channel_kind, template_id, purpose, recipient_kind, customer_id, language, context, content,
      status, sent_at, created_at, updated_at)
    select ${uuidv7At(`extract(epoch from x.t) * 1000`)}, 'bench:' || b.id || ':' || x.k, '${IDS.channel}', 'sms', '${IDS.template}', 'marketing', 'customer', b.id, 'zh-CN',
      jsonb_build_object('customerId', b.id), '{"text":"earlier"}', 'sent', x.t, x.t, x.t
    from bench_n b cross join lateral (
      select k, ${at} - make_interval(hours => case when b.n % 25 = 4 then 2 else 24 * (k + 1) end) as t
      from generate_series(1, case when b.n % 25 = 4 then 1 else 3 end) k) x
    where b.n <= ${o.customers} and b.n % 25 in (4, 6)`)
  const definition = JSON.stringify({
    trigger: { type: 'audience', audience: { segment: [SEGMENT] }, on: 'enter', includeExisting: true },
    steps: [{ key: 'care', type: 'message', templateId: IDS.template }]
  })
  await exec(`insert into journeys (id, name, status, current_version, activated_at, created_at, updated_at)
    values ('${IDS.journey}', '流失预警关怀', 'active', 1, ${at} - interval '1 hour', ${at}, ${at})`)
  await exec(`insert into journey_versions (journey_id, version, definition, created_at) values ('${IDS.journey}', 1, '${definition}', ${at})`)
  await exec('drop table bench_n')
  await exec('set session_replication_role = origin')
  for (const ix of indexes) await exec(ix.indexdef)
  for (const t of ['customers', 'customer_scores', 'consent_records', 'messages', 'journeys', 'journey_versions']) await exec(`vacuum analyze ${t}`)
  const [counts] = (await exec(`select (select count(*) from customers)::int as customers,
    (select count(*) from customer_scores where segment = '${SEGMENT}')::int as audience,
    (select count(*) from consent_records)::int as "consent records", (select count(*) from messages)::int as "earlier messages"`)).rows
  return counts as Record<string, number>
}
