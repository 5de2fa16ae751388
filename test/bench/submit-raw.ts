/**
 * The baseline of the submission benchmark: a raw `pg` script doing the writes of one
 * accepted referral in one transaction, as a hand-written service would, with
 * `connections` concurrent workers for `duration` seconds. Each statement is a named
 * prepared statement. Personal data is sealed with the app's cipher (the columns hold
 * ciphertext either way).
 *
 * Per submission: dedupe against customers (blind index), the attribution claim, the
 * referral, the lead (to the referrer's owner, else a round-robin row), its two history
 * rows, three audit rows and three outbox events (referral.submitted, lead.created, lead.assigned).
 *
 * Child process: BENCH_RAW_SPEC (JSON); reports `{ result }` over IPC when done.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { uuidv7 } from 'uuidv7'
import { PiiCipher } from '../../src/lib/pii.js'
import { maskPhone } from '../../src/rules/contact.js'

export type RawSpec = { url: string; piiKey: string; connections: number; duration: number; phonePrefix: string; start: number; referrers: { id: string; ownerId: string | null }[] }
export type RawResult = { rps: number; p50: number; p99: number; requests: number; bad: number }

const statements = {
  dedupe: 'select id from customers where phone_idx = $1 and deleted_at is null',
  claim: `insert into referral_claims (contact_key, referral_id, referrer_id, expires_at) values ($1, $2, $3, now() + interval '90 days')
          on conflict (contact_key) do update set referral_id = excluded.referral_id, referrer_id = excluded.referrer_id, claimed_at = now(), expires_at = excluded.expires_at
          where referral_claims.expires_at <= now() returning referral_id`,
  referral: `insert into referrals (id, referrer_id, channel, name, phone_enc, phone_idx, phone_masked, status, submitted_at, lead_id)
             values ($1, $2, 'api', $3, $4, $5, $6, 'submitted', now(), null)`,
  rotate: `insert into team_rotations (rotation, last_user_id) values ('bench', $1)
           on conflict (rotation) do update set last_user_id = excluded.last_user_id returning last_user_id`,
  lead: `insert into leads (id, source, referral_id, referrer_id, name, phone_enc, phone_idx, phone_masked, owner_id, assigned_at, first_contact_due_at, next_follow_up_at)
         values ($1, 'referral', $2, $3, $4, $5, $6, $7, $8, now(), now() + interval '72 hours', now() + interval '72 hours')`,
  link: 'update referrals set lead_id = $1 where id = $2',
  history: `insert into lead_history (id, lead_id, kind, to_owner_id, to_status, reason) values ($1, $2, 'created', null, 'new', null), ($3, $2, 'assigned', $4, null, 'referrer_owner')`,
  audit: `insert into audit_entries (id, actor_type, actor_id, actor_role, action, entity_type, entity_id, changes, request_id) values
          ($1, 'api_key', null, 'admin', 'referral.submitted', 'referral', $2, $3, $4),
          ($5, 'api_key', null, 'admin', 'lead.created', 'lead', $6, $3, $4),
          ($7, 'api_key', null, 'admin', 'lead.assigned', 'lead', $6, $8, $4)`,
  outbox: `insert into outbox_events (id, type, entity_type, entity_id, data) values
           ($1, 'referral.submitted', 'referral', $2, $3), ($4, 'lead.created', 'lead', $5, $6), ($7, 'lead.assigned', 'lead', $5, $8)`
}

async function submit(client: pg.PoolClient, pii: PiiCipher, phone: string, referrer: { id: string; ownerId: string | null }): Promise<void> {
  const q = (name: keyof typeof statements, values: unknown[]) => client.query({ name: `raw_${name}`, text: statements[name], values })
  const sealed = { enc: pii.seal(phone), idx: pii.index(phone), masked: maskPhone(phone) }
  const referralId = uuidv7()
  const leadId = uuidv7()
  await client.query('begin')
  try {
    if ((await q('dedupe', [sealed.idx])).rowCount) throw new Error('already a customer')
    await q('referral', [referralId, referrer.id, 'Bench Person', sealed.enc, sealed.idx, sealed.masked])
    if (!(await q('claim', [`phone:${sealed.idx}`, referralId, referrer.id])).rowCount) throw new Error('duplicate')
    const owner = referrer.ownerId ?? (await q('rotate', [null])).rows[0].last_user_id
    await q('lead', [leadId, referralId, referrer.id, 'Bench Person', sealed.enc, sealed.idx, sealed.masked, owner])
    await q('link', [leadId, referralId])
    await q('history', [uuidv7(), leadId, uuidv7(), owner])
    const assigned = JSON.stringify({ ownerId: { from: null, to: owner }, reason: 'referrer_owner' })
    await q('audit', [uuidv7(), referralId, JSON.stringify({ phone: sealed.masked, referrerId: referrer.id }), randomUUID(), uuidv7(), leadId, uuidv7(), assigned])
    const data = JSON.stringify({ referralId, leadId, phone: sealed.masked })
    await q('outbox', [uuidv7(), referralId, data, uuidv7(), leadId, data, uuidv7(), JSON.stringify({ leadId, ownerId: owner })])
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  }
}

export async function runRaw(spec: RawSpec): Promise<RawResult> {
  const pool = new pg.Pool({ connectionString: spec.url, max: spec.connections })
  const pii = new PiiCipher(Buffer.from(spec.piiKey, 'base64'))
  const latencies: number[] = []
  let next = spec.start
  let bad = 0
  const until = Date.now() + spec.duration * 1000
  await Promise.all(Array.from({ length: spec.connections }, async () => {
    const client = await pool.connect()
    try {
      while (Date.now() < until) {
        const n = next++
        const started = performance.now()
        try {
          await submit(client, pii, `${spec.phonePrefix}${String(n).padStart(9, '0')}`, spec.referrers[n % spec.referrers.length])
          latencies.push(performance.now() - started)
        } catch {
          bad++
        }
      }
    } finally {
      client.release()
    }
  }))
  await pool.end()
  latencies.sort((a, b) => a - b)
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0)
  return { rps: latencies.length / spec.duration, p50: at(0.5), p99: at(0.99), requests: latencies.length, bad }
}

if (process.env.BENCH_RAW_SPEC) {
  const result = await runRaw(JSON.parse(process.env.BENCH_RAW_SPEC) as RawSpec)
  process.send?.({ result })
  process.exit(0)
}
