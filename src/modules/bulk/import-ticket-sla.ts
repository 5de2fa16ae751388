import { sql } from 'drizzle-orm'
import type { Tx } from '../../db/client.js'
import { rows } from '../../db/rows.js'
import { addBusinessMinutes } from '../../rules/business-hours.js'
import { loadWorkingCalendar, slaTargetsFor } from '../tickets/sla/calendar.repository.js'

type Priority = 'low' | 'normal' | 'high' | 'urgent'
type Tier = 'A' | 'B' | 'C' | null

/**
 * SLA clocks of imported tickets still open (staged in import_tickets): the policy's targets
 * for their priority and tier, due times counted in business hours from createdAt. A
 * resolved or closed ticket gets none (its clocks stopped long ago); one waiting on the
 * customer keeps its targets with the clocks paused (no due time); a first response already
 * given stops that clock. Only new tickets read these columns (an update never names them).
 */
export async function importedSlaClocks(tx: Tx, timeZone: string): Promise<void> {
  const open = await rows<{ row_no: number; priority: Priority; customer_tier: Tier; created_at: string; first_responded_at: string | null; status: string }>(tx, sql`
    select row_no, priority, customer_tier, created_at, first_responded_at, status from import_tickets s
    where s.status in ('open', 'in_progress', 'waiting_customer') and not exists (select 1 from tickets x where x.external_id = s.external_id offset 0)`)
  if (open.length === 0) return
  const calendar = await loadWorkingCalendar(tx, timeZone)
  const targets = new Map<string, Awaited<ReturnType<typeof slaTargetsFor>>>()
  const values = []
  for (const r of open) {
    const key = `${r.priority}/${r.customer_tier ?? ''}`
    if (!targets.has(key)) targets.set(key, await slaTargetsFor(tx, r.priority, r.customer_tier))
    const t = targets.get(key)!
    const running = r.status !== 'waiting_customer'
    const from = new Date(r.created_at)
    values.push({
      row_no: r.row_no, frm: t.firstResponseMinutes, rm: t.resolutionMinutes,
      frd: running && t.firstResponseMinutes !== null && !r.first_responded_at ? addBusinessMinutes(calendar, from, t.firstResponseMinutes).toISOString() : null,
      rd: running && t.resolutionMinutes !== null ? addBusinessMinutes(calendar, from, t.resolutionMinutes).toISOString() : null
    })
  }
  await tx.execute(sql`update import_tickets s set first_response_minutes = v.frm, resolution_minutes = v.rm,
      first_response_due_at = v.frd, resolution_due_at = v.rd
    from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(row_no int, frm int, rm int, frd timestamptz, rd timestamptz)
    where s.row_no = v.row_no`)
}
