import { sql } from 'drizzle-orm'
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core'
import { entityColumns, id, tstz } from './columns.js'
import { customers } from './customers.js'

export const journeyStatusEnum = pgEnum('journey_status', ['draft', 'active', 'paused', 'archived'])
export const enrollmentStatusEnum = pgEnum('journey_enrollment_status', ['active', 'completed', 'exited', 'failed'])
export const stepOutcomeEnum = pgEnum('journey_step_outcome', ['completed', 'skipped', 'held', 'capped', 'blocked', 'failed'])

/**
 * 营销自动化: a journey (docs/automation.md). What it does lives in its versions: editing an
 * active journey makes version N+1 (the one new enrollments start on); running enrollments
 * finish on the version they started.
 */
export const journeys = pgTable('journeys', {
  ...entityColumns(),
  name: text().notNull(),
  description: text(),
  status: journeyStatusEnum().notNull().default('draft'),
  /** The version new enrollments start on (the latest). */
  currentVersion: integer().notNull().default(1),
  /** When it last became active: events before it do not trigger it. */
  activatedAt: tstz(),
  /** When its audience trigger last compared the audience with its snapshot. */
  scannedAt: tstz()
}, (t) => [
  uniqueIndex('journeys_external_id_uq').on(t.externalId),
  index('journeys_status_idx').on(t.status).where(sql`${t.deletedAt} is null`)
])

/** One version of a journey's definition (trigger, conditions, steps): immutable once an enrollment uses it. */
export const journeyVersions = pgTable('journey_versions', {
  journeyId: uuid().notNull().references(() => journeys.id),
  version: integer().notNull(),
  definition: jsonb().$type<Record<string, unknown>>().notNull(),
  createdAt: tstz().notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.journeyId, t.version] })])

/**
 * One customer's way through one version of a journey. `entrySeq` numbers a customer's
 * entries into a journey: unique per (journey, customer), so a journey without re-entry
 * enrolls a customer once (seq 1) and re-entries after the cool-down race for seq N+1,
 * whoever commits first wins. The worker takes active rows due by `dueAt` with
 * FOR UPDATE SKIP LOCKED and runs `stepKey` in the same transaction that records the run.
 */
export const journeyEnrollments = pgTable('journey_enrollments', {
  id: id(),
  journeyId: uuid().notNull().references(() => journeys.id),
  version: integer().notNull(),
  customerId: uuid().notNull().references(() => customers.id),
  entrySeq: integer().notNull().default(1),
  status: enrollmentStatusEnum().notNull().default('active'),
  /** The step to run next (null once finished). */
  stepKey: text(),
  /** Steps run so far: the next run's sequence number. */
  stepsRun: integer().notNull().default(0),
  dueAt: tstz(),
  /** What brought the customer in: an outbox event's id, or a scan's kind (audience_enter, inactivity, date...). */
  triggerEventId: uuid(),
  triggerKind: text().notNull(),
  enteredAt: tstz().notNull().defaultNow(),
  finishedAt: tstz(),
  exitReason: text()
}, (t) => [
  uniqueIndex('journey_enrollments_entry_uq').on(t.journeyId, t.customerId, t.entrySeq),
  index('journey_enrollments_due_idx').on(t.dueAt).where(sql`${t.status} = 'active'`),
  index('journey_enrollments_journey_idx').on(t.journeyId, t.enteredAt, t.id),
  index('journey_enrollments_customer_idx').on(t.customerId)
])

/** Each step an enrollment ran and its outcome (why it was skipped, capped, held, blocked or failed). */
export const journeyStepRuns = pgTable('journey_step_runs', {
  id: id(),
  enrollmentId: uuid().notNull().references(() => journeyEnrollments.id),
  journeyId: uuid().notNull(),
  version: integer().notNull(),
  /** The enrollment's n-th step run: unique with the enrollment, so a step can never be recorded twice. */
  seq: integer().notNull(),
  stepKey: text().notNull(),
  stepType: text().notNull(),
  outcome: stepOutcomeEnum().notNull(),
  reason: text(),
  /** What the step made: a message, task, coupon, points entry, event. */
  detail: jsonb().$type<Record<string, unknown>>(),
  ranAt: tstz().notNull().defaultNow()
}, (t) => [
  uniqueIndex('journey_step_runs_seq_uq').on(t.enrollmentId, t.seq),
  index('journey_step_runs_counts_idx').on(t.journeyId, t.version, t.stepKey, t.outcome)
])

/** Who was in an audience-triggered journey's audience at its last scan: entering and leaving are the differences. */
export const journeyAudienceMembers = pgTable('journey_audience_members', {
  journeyId: uuid().notNull().references(() => journeys.id),
  customerId: uuid().notNull(),
  since: tstz().notNull().defaultNow()
}, (t) => [primaryKey({ columns: [t.journeyId, t.customerId] })])
