import { sql } from 'drizzle-orm'
import { runAction, type Action, type ActionContext, type AuditInput, type EventInput } from '../../db/action.js'
import type { Db } from '../../db/client.js'
import { rows, ts } from '../../db/rows.js'
import type { PiiCipher } from '../../lib/pii.js'
import { nextStepKey, type Filter, type JourneyDefinition } from '../../rules/journey-definition.js'
import { runStep, type Due, type Outcome, type StepContext } from './journey-actions.js'
import { filterSql, scoresJoin } from './journey-enroll.js'
import type { MessageGate } from './journey-messages.js'

const SYSTEM: ActionContext = { actorType: 'system', actorId: null, actorRole: null, apiKeyId: null, requestId: null }

export type RunDeps = { db: Db; pii: PiiCipher; timeZone: string; gate: MessageGate; failed?: (err: unknown, item: Record<string, unknown>) => void }
export type RunResult = { ran: number; failed: number }

type Claimed = { id: string; journey_id: string; version: number; customer_id: string; owner_id: string | null; step_key: string; steps_run: number }

/**
 * One batch of due steps (docs/automation.md, "Execution"), exactly once per enrollment:
 * the due enrollments of active journeys are locked FOR UPDATE SKIP LOCKED (another
 * process takes other rows; a process that dies mid-step rolls back and releases them),
 * the journey's conditions are checked again, each step runs for its group set-based, and
 * the effects, the step runs (unique per enrollment and sequence number) and the
 * enrollments' advance commit in ONE transaction. A group whose action throws is rolled
 * back to its savepoint and its enrollments fail with the error, logged and counted.
 */
export async function runDueSteps(deps: RunDeps, now: Date, batch: number): Promise<RunResult> {
  return runAction(deps.db, SYSTEM, async (action) => {
    const claimed = await rows<Claimed>(action.tx, sql`
      select e.id, e.journey_id, e.version, e.customer_id, c.owner_id, e.step_key, e.steps_run
      from journey_enrollments e
      join journeys j on j.id = e.journey_id and j.status = 'active'
      join customers c on c.id = e.customer_id
      where e.status = 'active' and e.due_at <= ${ts(now)}
      order by e.due_at
      limit ${batch}
      for update of e skip locked`)
    if (claimed.length === 0) return { ran: 0, failed: 0 }
    const defs = await definitions(action, claimed)
    const passes = async (filter: Filter, ids: string[]): Promise<Set<string>> => {
      const { where, scores } = filterSql(filter, deps.pii, now)
      const found = await rows<{ id: string }>(action.tx, sql`select customers.id from customers ${scoresJoin(scores)}
        where customers.id = any(${`{${[...new Set(ids)].join(',')}}`}::uuid[]) and ${where}`)
      return new Set(found.map((r) => r.id))
    }
    const results = new Map<string, { due: Due; type: string; result: Outcome }>()
    // Conditions first, per version: a customer who no longer matches leaves before the step.
    const byVersion = groupBy(claimed, (c) => `${c.journey_id}:${c.version}`)
    const ready: Claimed[] = []
    for (const list of byVersion.values()) {
      const def = defs.get(`${list[0].journey_id}:${list[0].version}`)!
      const ok = def.conditions && Object.keys(def.conditions).length ? await passes(def.conditions, list.map((c) => c.customer_id)) : null
      for (const c of list) {
        const type = def.steps.find((s) => s.key === c.step_key)?.type ?? 'unknown'
        if (ok && !ok.has(c.customer_id)) results.set(c.id, { due: dueOf(c), type, result: { outcome: 'skipped', reason: 'conditions_not_met', exit: true } })
        else ready.push(c)
      }
    }
    const cx: Omit<StepContext, 'action'> = { now, timeZone: deps.timeZone, gate: deps.gate, passes }
    let failed = 0
    for (const list of groupBy(ready, (c) => `${c.journey_id}:${c.version}:${c.step_key}`).values()) {
      const def = defs.get(`${list[0].journey_id}:${list[0].version}`)!
      const step = def.steps.find((s) => s.key === list[0].step_key)
      const dues = list.map(dueOf)
      if (!step) {
        for (const d of dues) results.set(d.id, { due: d, type: 'unknown', result: { outcome: 'failed', reason: 'unknown_step', exit: true } })
        continue
      }
      try {
        const out = await inSavepoint(action, (a) => runStep(step, dues, { ...cx, action: a }))
        for (const d of dues) results.set(d.id, { due: d, type: step.type, result: out.get(d.id) ?? { outcome: 'failed', reason: 'no_outcome' } })
      } catch (err) {
        failed += dues.length
        deps.failed?.(err, { journeyId: list[0].journey_id, version: list[0].version, stepKey: step.key, enrollments: dues.length })
        const reason = `error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500)
        for (const d of dues) results.set(d.id, { due: d, type: step.type, result: { outcome: 'failed', reason, fatal: true } as Outcome })
      }
    }
    await record(action, defs, [...results.values()], now)
    return { ran: results.size, failed }
  })
}

const dueOf = (c: Claimed): Due => ({
  id: c.id, journeyId: c.journey_id, version: c.version, customerId: c.customer_id, ownerId: c.owner_id, stepKey: c.step_key, seq: c.steps_run + 1
})

function groupBy<T>(list: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const x of list) {
    const k = key(x)
    out.set(k, [...(out.get(k) ?? []), x])
  }
  return out
}

async function definitions(action: Action, claimed: Claimed[]): Promise<Map<string, JourneyDefinition>> {
  const pairs = JSON.stringify([...new Set(claimed.map((c) => `${c.journey_id}:${c.version}`))].map((k) => ({ j: k.split(':')[0], v: Number(k.split(':')[1]) })))
  const found = await rows<{ journey_id: string; version: number; definition: JourneyDefinition }>(action.tx, sql`
    select v.journey_id, v.version, v.definition from journey_versions v
    join jsonb_to_recordset(${pairs}::jsonb) as p(j uuid, v int) on p.j = v.journey_id and p.v = v.version`)
  return new Map(found.map((r) => [`${r.journey_id}:${r.version}`, r.definition]))
}

/** Runs `fn` in a savepoint; its audit entries and events reach the action only when it succeeds. */
async function inSavepoint<T>(action: Action, fn: (a: Action) => Promise<T>): Promise<T> {
  const audits: AuditInput[] = []
  const events: EventInput[] = []
  const result = await action.tx.transaction((sp) => fn({ tx: sp, audit: (e) => audits.push(e), emit: (e) => events.push(e) }))
  audits.forEach((a) => action.audit(a))
  events.forEach((e) => action.emit(e))
  return result
}

/** The step runs and the enrollments' next step, due time or end, in two statements. */
async function record(action: Action, defs: Map<string, JourneyDefinition>, done: { due: Due; type: string; result: Outcome }[], now: Date): Promise<void> {
  const runs = done.map(({ due, type, result }) => ({
    enrollment_id: due.id, journey_id: due.journeyId, version: due.version, seq: due.seq, step_key: due.stepKey, step_type: type,
    outcome: result.outcome, reason: result.reason ?? null, detail: result.detail ?? null
  }))
  const moves = done.map(({ due, result }) => {
    const fatal = (result as { fatal?: boolean }).fatal === true
    const next = result.exit || fatal ? null : nextStepKey(defs.get(`${due.journeyId}:${due.version}`)!.steps, due.stepKey, result.branch ?? 'then')
    const status = fatal ? 'failed' : result.exit ? 'exited' : next === null ? 'completed' : 'active'
    const exitReason = fatal ? result.reason : result.exit ? (result.reason ?? 'exit_step') : null
    return { id: due.id, step_key: next, due_at: next === null ? null : (result.dueAt ?? now).toISOString(), status, exit_reason: exitReason }
  })
  await action.tx.execute(sql`
    insert into journey_step_runs (id, enrollment_id, journey_id, version, seq, step_key, step_type, outcome, reason, detail, ran_at)
    select crm_uuidv7(), r.enrollment_id, r.journey_id, r.version, r.seq, r.step_key, r.step_type, r.outcome::journey_step_outcome, r.reason, r.detail, ${ts(now)}
    from jsonb_to_recordset(${JSON.stringify(runs)}::jsonb) as r(enrollment_id uuid, journey_id uuid, version int, seq int, step_key text, step_type text, outcome text, reason text, detail jsonb)`)
  await action.tx.execute(sql`
    update journey_enrollments e set step_key = m.step_key, due_at = m.due_at, status = m.status::journey_enrollment_status,
      exit_reason = m.exit_reason, steps_run = e.steps_run + 1, finished_at = case when m.status = 'active' then null else ${ts(now)} end
    from jsonb_to_recordset(${JSON.stringify(moves)}::jsonb) as m(id uuid, step_key text, due_at timestamptz, status text, exit_reason text)
    where e.id = m.id`)
}
