import type { journeyEnrollments, journeys, journeyStepRuns } from '../../db/schema/journeys.js'
import type { JourneyDefinition } from '../../rules/journey-definition.js'

export type JourneyRow = typeof journeys.$inferSelect
export type EnrollmentRow = typeof journeyEnrollments.$inferSelect
export type StepRunRow = typeof journeyStepRuns.$inferSelect

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A journey as clients see it: its row and its current version's definition. */
export function journeyView(row: JourneyRow, def: JourneyDefinition) {
  return {
    id: row.id, externalId: row.externalId, name: row.name, description: row.description, status: row.status, currentVersion: row.currentVersion,
    trigger: def.trigger, conditions: def.conditions ?? null, reentry: def.reentry ?? null, steps: def.steps,
    activatedAt: iso(row.activatedAt), version: row.version, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString()
  }
}
export type JourneyView = ReturnType<typeof journeyView>

export function enrollmentView(row: EnrollmentRow) {
  return {
    id: row.id, journeyId: row.journeyId, version: row.version, customerId: row.customerId, entrySeq: row.entrySeq, status: row.status,
    stepKey: row.stepKey, dueAt: iso(row.dueAt), triggerKind: row.triggerKind, triggerEventId: row.triggerEventId,
    enteredAt: row.enteredAt.toISOString(), finishedAt: iso(row.finishedAt), exitReason: row.exitReason
  }
}
export type EnrollmentView = ReturnType<typeof enrollmentView>

export function stepRunView(row: StepRunRow) {
  return { seq: row.seq, stepKey: row.stepKey, stepType: row.stepType, outcome: row.outcome, reason: row.reason, detail: row.detail, ranAt: row.ranAt.toISOString() }
}

export type StepCounts = { version: number; stepKey: string; stepType: string; entered: number; completed: number; skipped: number; held: number; capped: number; blocked: number; failed: number }
