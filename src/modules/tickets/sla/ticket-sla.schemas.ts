import { Type, type Static } from '@sinclair/typebox'
import { ExpectedVersion, ExternalId, LocalDate, Nullable, StringEnum, Uuid } from '../../common/schemas.js'

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const
export const customerTiers = ['A', 'B', 'C'] as const
export const calendarDayKinds = ['holiday', 'workday'] as const

/** A wall-clock time of day; "24:00" ends a day. */
export const ClockTime = Type.String({ pattern: '^(([01]\\d|2[0-3]):[0-5]\\d|24:00)$', description: 'HH:MM (24-hour), 24:00 for the end of the day' })
export const WorkingInterval = Type.Object({ start: ClockTime, end: ClockTime }, { additionalProperties: false })

export const WorkingCalendarUpdate = Type.Object({
  workingDays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { maxItems: 7, uniqueItems: true, description: 'ISO weekdays: 1 = Monday … 7 = Sunday' })),
  intervals: Type.Optional(Type.Array(WorkingInterval, { minItems: 1, maxItems: 12, description: "A working day's hours, in order" })),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type WorkingCalendarUpdate = Static<typeof WorkingCalendarUpdate>

export const CalendarDayInput = Type.Object({
  date: LocalDate,
  kind: StringEnum(calendarDayKinds, 'holiday: off although its weekday works; workday: a make-up working day (调休)'),
  name: Type.Optional(Nullable(Type.String({ maxLength: 100 })))
}, { additionalProperties: false })
/** One bulk write: a year of public holidays and make-up days, with room to spare. */
export const CalendarDaysInput = Type.Array(CalendarDayInput, { maxItems: 1000 })
export const CalendarDates = Type.Array(LocalDate, { maxItems: 1000 })
export const CalendarRange = Type.Object({ from: LocalDate, to: LocalDate }, { additionalProperties: false })

const minutes = (description: string) => Type.Integer({ minimum: 1, maximum: 525_600, description })

export const SlaPolicyCreate = Type.Object({
  priority: StringEnum(ticketPriorities),
  customerTier: Type.Optional(Nullable(StringEnum(customerTiers))),
  firstResponseMinutes: minutes('First-response target in business minutes'),
  resolutionMinutes: minutes('Resolution target in business minutes'),
  active: Type.Optional(Type.Boolean()),
  externalId: Type.Optional(Nullable(ExternalId))
}, { additionalProperties: false })
export type SlaPolicyCreate = Static<typeof SlaPolicyCreate>

export const SlaPolicyUpdate = Type.Object({
  priority: Type.Optional(StringEnum(ticketPriorities)),
  customerTier: Type.Optional(Nullable(StringEnum(customerTiers))),
  firstResponseMinutes: Type.Optional(minutes('First-response target in business minutes')),
  resolutionMinutes: Type.Optional(minutes('Resolution target in business minutes')),
  active: Type.Optional(Type.Boolean()),
  externalId: Type.Optional(Nullable(ExternalId)),
  expectedVersion: Type.Optional(ExpectedVersion)
}, { additionalProperties: false })
export type SlaPolicyUpdate = Static<typeof SlaPolicyUpdate>

const time = Type.String({ format: 'date-time' })
export const WorkingCalendarView = Type.Object({
  timeZone: Type.String(),
  workingDays: Type.Array(Type.Integer()),
  intervals: Type.Array(Type.Object({ start: Type.String(), end: Type.String() })),
  version: Type.Integer(),
  updatedAt: time
})
export const CalendarDayView = Type.Object({ date: Type.String(), kind: Type.String(), name: Nullable(Type.String()), createdAt: time })
export const SlaPolicyView = Type.Object({
  id: Uuid,
  externalId: Nullable(Type.String()),
  priority: Type.String(),
  customerTier: Nullable(Type.String()),
  firstResponseMinutes: Type.Integer(),
  resolutionMinutes: Type.Integer(),
  active: Type.Boolean(),
  version: Type.Integer(),
  createdAt: time,
  updatedAt: time
})
