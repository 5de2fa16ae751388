import type { EntityName, Model, Actor } from './model-state.js'
import { ModelFailure, type Caller, type Outcome, type World } from './model-world.js'

/**
 * The invariants checked against the model: one audit entry and the events of each committed
 * write, nothing written by a refused one, the reward ledger, and list pages walked whole.
 */
const fail = (msg: string): never => { throw new ModelFailure(msg) }

export type LogMark = { audit: string; outbox: string }
const ZERO = '00000000-0000-0000-0000-000000000000'

export async function logMark(w: World): Promise<LogMark> {
  const [a] = await w.sql<{ m: string | null }>('select id::text as m from audit_entries order by id desc limit 1')
  const [o] = await w.sql<{ m: string | null }>('select id::text as m from outbox_events order by id desc limit 1')
  return { audit: a?.m ?? ZERO, outbox: o?.m ?? ZERO }
}

type LogRow = { entity_type: string; entity_id: string | null; action: string }

async function logSince(w: World, mark: LogMark): Promise<{ audits: LogRow[]; events: LogRow[] }> {
  const audits = await w.sql<LogRow>('select entity_type, entity_id::text, action from audit_entries where id > $1 order by id', [mark.audit])
  const events = await w.sql<LogRow>('select entity_type, entity_id::text, type as action from outbox_events where id > $1 order by id', [mark.outbox])
  return { audits, events }
}

/** What a committed write must have logged: audit entries per entity id (exact), events per entity id (present). */
export type WriteLog = { audits: Record<string, number | 'some'>; events?: Record<string, string[]>; others?: 'allowed' }

/** Which answers the model allows: a success, a refusal with this code, any refusal, or either. */
export type Expect = 'ok' | 'FORBIDDEN' | 'NOT_FOUND' | 'refused' | 'either'

/**
 * Runs one write: its answer must be what the model expects; when it committed, `onOk`
 * updates the model and says what should have been logged; when refused, nothing was.
 */
export async function write(w: World, label: string, expect: Expect, call: () => Promise<Outcome>,
  onOk: (data: any) => WriteLog | Promise<WriteLog>): Promise<Outcome> {
  const mark = await logMark(w)
  const out = await call()
  const show = out.kind === 'ok' ? `ok ${JSON.stringify(out.data).slice(0, 300)}` : out.detail
  if (expect === 'ok' && out.kind !== 'ok') fail(`${label}: the model expected success, got ${show}`)
  if (expect !== 'ok' && expect !== 'either' && out.kind === 'ok') fail(`${label}: the model expected ${expect}, got ${show}`)
  if ((expect === 'FORBIDDEN' || expect === 'NOT_FOUND') && out.kind === 'refused' && out.code !== expect) fail(`${label}: expected ${expect}, got ${show}`)
  const log = await logSince(w, mark)
  if (out.kind === 'refused') {
    if (log.audits.length || log.events.length) fail(`${label}: refused (${out.detail}) but wrote ${JSON.stringify(log)}`)
    return out
  }
  const want = await onOk(out.data)
  checkLog(label, want, log)
  return out
}

function checkLog(label: string, want: WriteLog, log: { audits: LogRow[]; events: LogRow[] }): void {
  const count = new Map<string, number>()
  for (const a of log.audits) count.set(a.entity_id ?? 'null', (count.get(a.entity_id ?? 'null') ?? 0) + 1)
  const pairs = new Set<string>()
  for (const a of log.audits) {
    const k = `${a.entity_type}/${a.entity_id}/${a.action}`
    if (pairs.has(k)) fail(`${label}: ${a.action} audited twice for ${a.entity_id}: ${JSON.stringify(log.audits)}`)
    pairs.add(k)
  }
  for (const [id, n] of Object.entries(want.audits)) {
    if (n === 'some' ? !count.get(id) : (count.get(id) ?? 0) !== n) fail(`${label}: expected ${n} audit entr${n === 1 ? 'y' : 'ies'} for ${id}, found ${count.get(id) ?? 0}: ${JSON.stringify(log.audits)}`)
  }
  if (want.others !== 'allowed') {
    const extra = log.audits.filter((a) => !(String(a.entity_id) in want.audits))
    if (extra.length) fail(`${label}: unexpected audit entries ${JSON.stringify(extra)}`)
  }
  for (const [id, types] of Object.entries(want.events ?? {})) {
    for (const t of types) {
      if (!log.events.some((e) => e.entity_id === id && e.action === t)) fail(`${label}: no ${t} event for ${id} in the outbox: ${JSON.stringify(log.events)}`)
    }
  }
}

/** The reward ledger per referrer and status equals the model's; no reward was paid twice. */
export async function checkLedger(w: World, m: Model): Promise<void> {
  const rows = await w.sql<{ k: string; s: string }>(
    "select beneficiary_id::text || '/' || status as k, sum(amount)::text as s from rewards where beneficiary_type = 'referrer' group by 1")
  const real = new Map(rows.map((r) => [r.k, Number(r.s)]))
  const want = m.ledger()
  for (const k of new Set([...real.keys(), ...want.keys()])) {
    if ((real.get(k) ?? 0) !== (want.get(k) ?? 0)) fail(`ledger ${k}: app ${real.get(k) ?? 0}, model ${want.get(k) ?? 0}`)
  }
  const paidTwice = await w.sql("select reward_id from (select entity_id as reward_id from audit_entries where action = 'reward.paid' group by 1 having count(*) > 1) x")
  if (paidTwice.length) fail(`rewards paid twice: ${JSON.stringify(paidTwice)}`)
}

const restPath: Record<EntityName, string> = {
  customers: 'customers', referrers: 'referrers', leads: 'leads', opportunities: 'opportunities', activities: 'activities',
  tasks: 'tasks', referrals: 'referrals', orders: 'orders', rewards: 'rewards', tickets: 'tickets'
}

/**
 * Walks a whole list with small pages (GraphQL first/after or REST limit/cursor): no repeats,
 * no gaps, and exactly the model's visible set (or FORBIDDEN when the role may not list it).
 */
export async function walkList(w: World, m: Model, caller: Caller, actor: Actor, entity: EntityName, size: number, rest: boolean): Promise<void> {
  const label = `${caller.name} lists ${entity} by ${size} over ${rest ? 'REST' : 'GraphQL'}`
  const want = m.visible(actor, entity)
  const seen: string[] = []
  let after: string | null = null
  let total: number | null = null
  for (let page = 0; ; page++) {
    if (page > 500) fail(`${label}: more than 500 pages`)
    let out: Outcome
    if (rest) {
      out = await w.rest(caller, 'GET', `/api/v1/${restPath[entity]}?limit=${size}${after ? `&cursor=${encodeURIComponent(after)}` : ''}`)
    } else {
      out = await w.gql(caller, 'query', entity, { first: { type: 'Int', value: size }, after: { type: 'String', value: after ?? undefined } },
        '{ edges { cursor node { id } } pageInfo { hasNextPage endCursor } totalCount }', page % 2 === 0)
    }
    if (want === 'forbidden') {
      if (out.kind !== 'refused' || out.code !== 'FORBIDDEN') fail(`${label}: expected FORBIDDEN, got ${JSON.stringify(out).slice(0, 300)}`)
      return
    }
    if (out.kind !== 'ok') return fail(`${label}: ${out.detail}`)
    const ids: string[] = rest ? out.data.data.map((r: { id: string }) => r.id) : out.data.edges.map((e: { node: { id: string } }) => e.node.id)
    if (ids.length > size) fail(`${label}: a page of ${ids.length} > ${size}`)
    seen.push(...ids)
    if (!rest) total = out.data.totalCount
    const next: string | null = rest ? out.data.nextCursor ?? null : out.data.pageInfo.hasNextPage ? out.data.pageInfo.endCursor : null
    if (!next) break
    if (ids.length === 0) fail(`${label}: an empty page that says there is more`)
    after = next
  }
  const set = new Set(seen)
  if (set.size !== seen.length) fail(`${label}: repeated ids ${seen.filter((id, i) => seen.indexOf(id) !== i).join(', ')}`)
  const missing = [...want].filter((id) => !set.has(id))
  const extra = seen.filter((id) => !want.has(id))
  if (missing.length || extra.length) fail(`${label}: missing ${JSON.stringify(missing)}, not visible per the model ${JSON.stringify(extra)}`)
  if (total !== null && total !== want.size) fail(`${label}: totalCount ${total}, model ${want.size}`)
}

/** One record read directly: visible → found; hidden or deleted → 404 / null, never 403; forbidden role → 403. */
export async function checkRead(w: World, m: Model, caller: Caller, actor: Actor, entity: EntityName, id: string, rest: boolean): Promise<void> {
  const label = `${caller.name} reads ${entity} ${id} over ${rest ? 'REST' : 'GraphQL'}`
  const forbidden = m.forbidden(actor, entity)
  const visible = !forbidden && m.live(entity, id) && m.canRead(actor, entity, id)
  const single = entity.endsWith('ies') ? entity.slice(0, -3) + 'y' : entity.slice(0, -1)
  const out = rest ? await w.rest(caller, 'GET', `/api/v1/${restPath[entity]}/${id}`)
    : await w.gql(caller, 'query', single, { id: { type: 'ID!', value: id } }, '{ id }', id.charCodeAt(0) % 2 === 0)
  const found = out.kind === 'ok' && out.data !== null && out.data?.id === id
  if (forbidden) {
    if (out.kind !== 'refused' || out.code !== 'FORBIDDEN') fail(`${label}: expected FORBIDDEN, got ${JSON.stringify(out).slice(0, 300)}`)
    return
  }
  if (visible && !found) fail(`${label}: visible per the model, got ${JSON.stringify(out).slice(0, 300)}`)
  if (!visible) {
    if (found) fail(`${label}: hidden per the model, but the app answered it`)
    if (out.kind === 'refused' && out.code !== 'NOT_FOUND') fail(`${label}: a hidden record must be 404/NOT_FOUND, got ${out.code}`)
  }
}
