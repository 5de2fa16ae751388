/**
 * Ticket SLA clocks (docs/service.md, "SLAs"): pure, computed from the ticket's status history
 * over a working calendar. Both clocks count business time only while the ticket is `open`
 * or `in_progress`: `waiting_customer` pauses them, `resolved` and `closed` stop them (a
 * reopen starts them again where they stopped). The first-response clock also stops at the
 * first public reply by staff.
 *
 * A due time is the instant the worked time reaches the target: it stays set once reached
 * (so the breach scan finds it even if the ticket was paused since), and is null while the
 * clock is paused or stopped short of its target.
 */
import { addBusinessMs, businessMsBetween, type WorkingCalendar } from './business-hours.js'
import { runningStatuses, type TicketStatus } from './ticket-status.js'

export type StatusEntry = { at: Date; to: TicketStatus }
export type SlaTargets = { firstResponseMinutes: number | null; resolutionMinutes: number | null }
export type SlaState = {
  firstResponseDueAt: Date | null
  resolutionDueAt: Date | null
  /** Worked business minutes at the first public reply, once there is one. */
  firstResponseBusinessMinutes: number | null
  /** Worked business minutes when last resolved, while resolved or closed. */
  resolutionBusinessMinutes: number | null
}

const MINUTE = 60_000
type Segment = { from: Date; to: Date | null }

/** The spans in which the clocks ran, up to `until` (null: still running), oldest first. */
export function runningSegments(history: readonly StatusEntry[], until: Date | null): Segment[] {
  const out: Segment[] = []
  for (let i = 0; i < history.length; i++) {
    if (!runningStatuses.has(history[i].to)) continue
    const end = i + 1 < history.length ? history[i + 1].at : null
    const from = history[i].at
    if (until && from >= until) break
    const to = end === null ? until : until && end > until ? until : end
    out.push({ from, to })
  }
  return out
}

/** Business ms worked over the segments (an open-ended segment is cut at `now`). */
export function workedMs(cal: WorkingCalendar, segments: readonly Segment[], now: Date): number {
  return segments.reduce((sum, s) => sum + businessMsBetween(cal, s.from, s.to ?? now), 0)
}

/** The instant the worked time reaches `targetMs`, or null if it has not and the clock is not running. */
export function crossing(cal: WorkingCalendar, segments: readonly Segment[], targetMs: number): Date | null {
  let worked = 0
  for (const s of segments) {
    if (s.to === null) return addBusinessMs(cal, s.from, targetMs - worked)
    const span = businessMsBetween(cal, s.from, s.to)
    if (worked + span >= targetMs) return addBusinessMs(cal, s.from, targetMs - worked)
    worked += span
  }
  return null
}

/** The clocks of a ticket with this history (oldest first, starting with its opening) as of `now`. */
export function slaState(
  cal: WorkingCalendar, targets: SlaTargets, history: readonly StatusEntry[], firstRespondedAt: Date | null, now: Date
): SlaState {
  const all = runningSegments(history, null)
  const untilReply = firstRespondedAt ? runningSegments(history, firstRespondedAt) : all
  const last = history[history.length - 1]
  const stopped = last !== undefined && (last.to === 'resolved' || last.to === 'closed')
  const lastResolution = [...history].reverse().find((h) => h.to === 'resolved')
  return {
    firstResponseDueAt: targets.firstResponseMinutes === null ? null : crossing(cal, untilReply, targets.firstResponseMinutes * MINUTE),
    resolutionDueAt: targets.resolutionMinutes === null ? null : crossing(cal, all, targets.resolutionMinutes * MINUTE),
    firstResponseBusinessMinutes: firstRespondedAt ? Math.floor(workedMs(cal, untilReply, firstRespondedAt) / MINUTE) : null,
    resolutionBusinessMinutes: stopped && lastResolution
      ? Math.floor(workedMs(cal, runningSegments(history, lastResolution.at), lastResolution.at) / MINUTE)
      : null
  }
}
