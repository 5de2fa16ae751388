/**
 * A journey's definition (docs/automation.md): its trigger, its conditions (a customers
 * filter, checked by the service with the customers list's own schema) and its steps, and
 * the checks that make it runnable: step keys unique, every target a step, no loop that
 * could spin without a wait, known step types, a sane trigger. Pure: the event catalogue is
 * an argument.
 */

export type Filter = Record<string, unknown>

export type JourneyTrigger =
  | { type: 'event'; eventType: string; changedFields?: string[] }
  | { type: 'audience'; audience: Filter; on: 'enter' | 'leave'; includeExisting?: boolean }
  | { type: 'inactivity'; days: number; measure: 'activity' | 'order' }
  | { type: 'date'; field: 'birthday' | 'first_order'; daysBefore: number }

type Next = { key: string; next?: string | null }
export type JourneyStep =
  | Next & { type: 'wait'; minutes?: number; untilTime?: string }
  | { key: string; type: 'branch'; condition: Filter; then: string | null; else: string | null }
  | Next & { type: 'message'; templateId: string; channelId?: string | null }
  | Next & { type: 'task'; title: string; description?: string | null; dueInHours?: number; priority?: 'low' | 'normal' | 'high' | 'urgent' }
  | Next & { type: 'tag'; add?: string[]; remove?: string[] }
  | Next & { type: 'points'; amount: number; reason?: string | null }
  | Next & { type: 'coupon'; templateId: string }
  | Next & { type: 'event'; name: string; data?: Record<string, string> }
  | { key: string; type: 'exit' }

export type JourneyDefinition = {
  trigger: JourneyTrigger
  conditions?: Filter | null
  /** Absent: a customer enters once. With it: again once `cooldownDays` passed since the last entry and none is running. */
  reentry?: { cooldownDays: number } | null
  steps: JourneyStep[]
}

export const stepTypes = ['wait', 'branch', 'message', 'task', 'tag', 'points', 'coupon', 'event', 'exit'] as const
export const MAX_STEPS = 50
/** Date triggers come back every year: without a re-entry rule a customer re-enters after this many days. */
export const DATE_TRIGGER_COOLDOWN_DAYS = 300

export type DefinitionProblem = { field: string; message: string; code: string }

const KEY = /^[a-z][a-z0-9_-]{0,39}$/
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

/** Where a step goes after it ran: its targets (null: the journey ends). */
export function stepTargets(steps: readonly JourneyStep[], index: number): (string | null)[] {
  const step = steps[index]
  if (step.type === 'exit') return [null]
  if (step.type === 'branch') return [step.then, step.else]
  return [step.next !== undefined ? step.next : steps[index + 1]?.key ?? null]
}

/** The key of the step after `key` along `branch` (then/else for a branch), or null: the end. */
export function nextStepKey(steps: readonly JourneyStep[], key: string, branch: 'then' | 'else' = 'then'): string | null {
  const i = steps.findIndex((s) => s.key === key)
  if (i < 0) return null
  const targets = stepTargets(steps, i)
  return (branch === 'else' && targets.length > 1 ? targets[1] : targets[0]) ?? null
}

/** Every problem of a definition; empty when it can run. `eventTypes`: the outbox catalogue. */
export function definitionProblems(def: JourneyDefinition, eventTypes: readonly string[]): DefinitionProblem[] {
  const out: DefinitionProblem[] = []
  const add = (field: string, message: string, code: string) => out.push({ field, message, code })
  const t = def.trigger
  if (t.type === 'event') {
    if (!eventTypes.includes(t.eventType)) add('trigger.eventType', 'is not an event of the catalogue (docs/events.md)', 'UNKNOWN_EVENT')
    if (t.changedFields?.length && t.eventType !== 'customer.updated') add('trigger.changedFields', 'applies only to customer.updated', 'NOT_APPLICABLE')
  }
  if (t.type === 'inactivity' && !(Number.isInteger(t.days) && t.days >= 1 && t.days <= 3650)) add('trigger.days', 'must be a whole number of days from 1 to 3650', 'OUT_OF_RANGE')
  if (t.type === 'date' && !(Number.isInteger(t.daysBefore) && t.daysBefore >= 0 && t.daysBefore <= 60)) add('trigger.daysBefore', 'must be a whole number of days from 0 to 60', 'OUT_OF_RANGE')
  if (def.reentry && !(Number.isInteger(def.reentry.cooldownDays) && def.reentry.cooldownDays >= 1 && def.reentry.cooldownDays <= 3650)) {
    add('reentry.cooldownDays', 'must be a whole number of days from 1 to 3650', 'OUT_OF_RANGE')
  }
  const steps = def.steps
  if (steps.length === 0) add('steps', 'needs at least one step', 'REQUIRED')
  if (steps.length > MAX_STEPS) add('steps', `may have at most ${MAX_STEPS} steps`, 'TOO_MANY')
  const keys = new Set<string>()
  steps.forEach((s, i) => {
    const at = `steps.${i}`
    if (!KEY.test(s.key)) add(`${at}.key`, 'must be 1-40 lower-case letters, digits, _ or -, starting with a letter', 'INVALID_KEY')
    if (keys.has(s.key)) add(`${at}.key`, `repeats the key ${s.key}: step keys are unique`, 'DUPLICATE_KEY')
    keys.add(s.key)
    if (!(stepTypes as readonly string[]).includes(s.type)) add(`${at}.type`, `is not one of ${stepTypes.join(', ')}`, 'UNKNOWN_STEP')
    if (s.type === 'wait') {
      const hasMinutes = s.minutes !== undefined
      if (hasMinutes === (s.untilTime !== undefined)) add(at, 'a wait has exactly one of minutes or untilTime', 'ONE_OF')
      if (hasMinutes && !(Number.isInteger(s.minutes) && s.minutes! >= 1 && s.minutes! <= 525_600)) add(`${at}.minutes`, 'must be a whole number of minutes from 1 to 525600 (a year)', 'OUT_OF_RANGE')
      if (s.untilTime !== undefined && !TIME.test(s.untilTime)) add(`${at}.untilTime`, 'must be a time of day HH:MM (00:00-23:59)', 'INVALID_TIME')
    }
    if (s.type === 'points' && !(Number.isInteger(s.amount) && s.amount >= 1 && s.amount <= 1_000_000)) add(`${at}.amount`, 'must be a whole number of points from 1 to 1000000', 'OUT_OF_RANGE')
    if (s.type === 'tag' && !(s.add?.length || s.remove?.length)) add(at, 'a tag step adds or removes at least one tag', 'REQUIRED')
    if (s.type === 'task' && s.dueInHours !== undefined && !(Number.isInteger(s.dueInHours) && s.dueInHours >= 0 && s.dueInHours <= 8760)) add(`${at}.dueInHours`, 'must be a whole number of hours from 0 to 8760', 'OUT_OF_RANGE')
  })
  steps.forEach((s, i) => {
    const named = s.type === 'branch' ? [['then', s.then], ['else', s.else]] as const : 'next' in s && s.next != null ? [['next', s.next]] as const : []
    for (const [field, target] of named) if (target != null && !keys.has(target)) add(`steps.${i}.${field}`, `names no step: ${target}`, 'UNKNOWN_STEP_KEY')
  })
  if (out.length === 0) {
    const loop = loopWithoutWait(steps)
    if (loop) add('steps', `the steps ${loop.join(' → ')} loop without a wait`, 'LOOP_WITHOUT_WAIT')
  }
  return out
}

/** A cycle of steps none of which is a wait (it would run for ever in one pass), or null. */
export function loopWithoutWait(steps: readonly JourneyStep[]): string[] | null {
  const index = new Map(steps.map((s, i) => [s.key, i]))
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (key: string): string[] | null => {
    if (state.get(key) === 'done') return null
    if (state.get(key) === 'open') return [...path.slice(path.indexOf(key)), key]
    const i = index.get(key)!
    // A wait breaks a loop: the next pass runs it later.
    if (steps[i].type === 'wait') { state.set(key, 'done'); return null }
    state.set(key, 'open')
    path.push(key)
    for (const t of stepTargets(steps, i)) {
      if (t == null || !index.has(t)) continue
      const found = visit(t)
      if (found) return found
    }
    path.pop()
    state.set(key, 'done')
    return null
  }
  for (const s of steps) {
    const found = visit(s.key)
    if (found) return found
  }
  return null
}

/** The days after an entry before the same customer may enter again; null: never. */
export function reentryCooldownDays(def: JourneyDefinition): number | null {
  if (def.reentry) return def.reentry.cooldownDays
  return def.trigger.type === 'date' ? DATE_TRIGGER_COOLDOWN_DAYS : null
}
