import t from 'tap'
import fc from 'fast-check'
import { activeStatuses, checkTicketTransition, runningStatuses, ticketStatuses, type TicketStatus } from '../../src/rules/ticket-status.js'

const DAY = 86_400_000
const now = new Date('2025-03-10T00:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * DAY)

t.test('the lifecycle: open → in_progress ⇄ waiting_customer → resolved → closed', async (t) => {
  const ok: Array<[TicketStatus, TicketStatus]> = [
    ['open', 'in_progress'], ['open', 'waiting_customer'], ['open', 'resolved'], ['in_progress', 'waiting_customer'],
    ['waiting_customer', 'in_progress'], ['in_progress', 'resolved'], ['waiting_customer', 'resolved'], ['resolved', 'closed']
  ]
  for (const [from, to] of ok) t.same(checkTicketTransition(from, to, null, now, 7), { ok: true, reopen: false }, `${from} → ${to}`)
  const refused: Array<[TicketStatus, TicketStatus]> = [
    ['open', 'closed'], ['in_progress', 'open'], ['waiting_customer', 'closed'], ['resolved', 'open'], ['closed', 'resolved'], ['closed', 'open']
  ]
  for (const [from, to] of refused) t.match(checkTicketTransition(from, to, null, now, 7), { ok: false, reason: /cannot move/ }, `${from} → ${to}`)
  t.match(checkTicketTransition('open', 'open', null, now, 7), { ok: false, reason: 'the ticket is already open' })
})

t.test('reopening (back to in_progress) only within the window after resolution', async (t) => {
  t.same(checkTicketTransition('resolved', 'in_progress', daysAgo(3), now, 7), { ok: true, reopen: true })
  t.same(checkTicketTransition('closed', 'in_progress', daysAgo(7), now, 7), { ok: true, reopen: true }, 'the last instant of the window')
  t.match(checkTicketTransition('closed', 'in_progress', new Date(daysAgo(7).getTime() - 1), now, 7), { ok: false, reason: /within 7 days/ })
  t.match(checkTicketTransition('resolved', 'in_progress', null, now, 7), { ok: false }, 'no resolution time: no reopen')
})

t.test('property: every verdict is allowed-or-reasoned, and the clocks run only in working statuses', async (t) => {
  const arbStatus = fc.constantFrom(...ticketStatuses)
  fc.assert(fc.property(arbStatus, arbStatus, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 }), (from, to, ago, window) => {
    const v = checkTicketTransition(from, to, daysAgo(ago), now, window)
    if (from === to) return !v.ok
    if (!v.ok) return v.reason.length > 0
    // A reopen is exactly a move from resolved/closed back to in_progress, and only inside the window.
    const reopen = (from === 'resolved' || from === 'closed') && to === 'in_progress'
    return v.reopen === reopen && (!reopen || ago <= window)
  }))
  for (const s of runningStatuses) t.ok(activeStatuses.has(s), `${s} is active`)
  t.notOk(runningStatuses.has('waiting_customer'))
  t.notOk(activeStatuses.has('resolved'))
})
