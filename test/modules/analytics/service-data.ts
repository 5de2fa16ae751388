import fc from 'fast-check'
import type { TestApp } from '../../helper.js'

/**
 * Random tickets, status histories, survey invitations and answers, written straight into the
 * tables (the ticket and survey services are not needed to test the report over their rows).
 */
export const DAY = 86_400_000
export const CATEGORIES = ['general', 'complaint', 'repair', 'billing']
export const CHANNELS = ['phone', 'wechat', 'email', 'web']
const STATUSES = ['open', 'in_progress', 'waiting_customer', 'resolved', 'closed']

const instant = fc.record({ day: fc.integer({ min: -6, max: 6 }), ms: fc.oneof(fc.constant(0), fc.constant(-1), fc.integer({ min: 1, max: DAY - 1 })) })
const pick = (n: number) => fc.integer({ min: 0, max: n - 1 })
const optPick = (n: number) => fc.option(pick(n), { nil: null })
const clock = fc.option(fc.record({ afterHours: fc.integer({ min: 0, max: 72 }), minutes: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }), target: fc.boolean(), breached: fc.boolean() }), { nil: null })

export const ticketArb = fc.record({
  customer: pick(4), assignee: optPick(4), queued: fc.boolean(), category: pick(CATEGORIES.length), channel: pick(CHANNELS.length),
  created: instant, firstResponse: clock, resolution: clock, status: pick(STATUSES.length), deleted: fc.integer({ min: 0, max: 9 }).map((n) => n < 1),
  changes: fc.array(fc.record({ afterHours: fc.integer({ min: 0, max: 200 }), status: pick(STATUSES.length) }), { maxLength: 3 })
})
export const invitationArb = fc.record({
  customer: pick(4), agent: optPick(4), ticket: fc.option(fc.nat(), { nil: null }), kind: fc.constantFrom('csat', 'nps'),
  sent: fc.option(instant, { nil: null }), answer: fc.option(fc.record({ afterHours: fc.integer({ min: 0, max: 100 }), score: fc.nat(10) }), { nil: null })
})
export const worldArb = fc.record({ tickets: fc.array(ticketArb, { maxLength: 8 }), invitations: fc.array(invitationArb, { maxLength: 10 }) })
export type World = typeof worldArb extends fc.Arbitrary<infer W> ? W : never

const iso = (base: Date, i: { day: number; ms: number }) => new Date(base.getTime() + i.day * DAY + i.ms)

export async function clearService(ctx: TestApp): Promise<void> {
  for (const table of ['survey_responses', 'survey_invitations', 'ticket_status_changes', 'tickets']) await ctx.sql(`delete from ${table}`)
}

/** Two surveys, one per kind (created once). */
export async function surveysOf(ctx: TestApp): Promise<Record<'csat' | 'nps', string>> {
  const out: Record<string, string> = {}
  for (const kind of ['csat', 'nps']) {
    const [row] = await ctx.sql<{ id: string }>(`insert into surveys (id, name, kind, question_zh, trigger, channel)
      values (crm_uuidv7(), $1, $2, '满意吗?', 'ticket_resolved', 'sms') returning id`, [`${kind} survey`, kind])
    out[kind] = row.id
  }
  return out as Record<'csat' | 'nps', string>
}

export async function insertWorld(ctx: TestApp, w: World, base: Date, customers: string[], users: string[], teamId: string, surveys: Record<'csat' | 'nps', string>): Promise<void> {
  const ticketIds: string[] = []
  let n = 0
  for (const t of w.tickets) {
    const created = iso(base, t.created)
    const after = (h: number) => new Date(created.getTime() + h * 3_600_000)
    const fr = t.firstResponse; const rs = t.resolution
    const [row] = await ctx.sql<{ id: string }>(`insert into tickets (id, customer_id, channel, category, subject, status, assignee_id, queue_team_id,
        first_response_minutes, resolution_minutes, first_responded_at, first_response_breached_at, first_response_business_minutes,
        resolved_at, resolution_breached_at, resolution_business_minutes, tracking_token_hash, created_at, updated_at, deleted_at)
      values (crm_uuidv7(), $1, $2, $3, 'subject', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $17) returning id`, [
      customers[t.customer], CHANNELS[t.channel], CATEGORIES[t.category], STATUSES[t.status], t.assignee === null ? null : users[t.assignee], t.queued ? teamId : null,
      fr?.target ? 60 : null, rs?.target ? 600 : null,
      fr ? after(fr.afterHours) : null, fr?.target && fr.breached ? after(fr.afterHours) : null, fr?.minutes ?? null,
      rs ? after(rs.afterHours) : null, rs?.target && rs.breached ? after(rs.afterHours) : null, rs?.minutes ?? null,
      `hash-${Date.now()}-${n++}-${Math.random()}`, created, t.deleted ? new Date() : null
    ])
    ticketIds.push(row.id)
    await ctx.sql(`insert into ticket_status_changes (id, ticket_id, from_status, to_status, actor_type, at) values (crm_uuidv7(), $1, null, 'open', 'system', $2)`, [row.id, created])
    for (const c of t.changes) {
      await ctx.sql(`insert into ticket_status_changes (id, ticket_id, from_status, to_status, actor_type, at) values (crm_uuidv7(), $1, null, $2, 'system', $3)`,
        [row.id, STATUSES[c.status], after(c.afterHours)])
    }
  }
  let k = 0
  for (const i of w.invitations) {
    const sent = i.sent ? iso(base, i.sent) : null
    const ticket = i.ticket !== null && ticketIds.length ? ticketIds[i.ticket % ticketIds.length] : null
    const agent = i.agent === null ? null : users[i.agent]
    const answeredAt = sent && i.answer ? new Date(sent.getTime() + i.answer.afterHours * 3_600_000) : null
    const [row] = await ctx.sql<{ id: string }>(`insert into survey_invitations (id, survey_id, customer_id, status, trigger_key, ticket_id, agent_id, send_at, sent_at, answered_at)
      values (crm_uuidv7(), $1, $2, $3, $4, $5, $6, coalesce($7, now()), $7, $8) returning id`,
    [surveys[i.kind], customers[i.customer], answeredAt ? 'answered' : sent ? 'sent' : 'scheduled', `test:${Date.now()}:${k++}:${Math.random()}`, ticket, agent, sent, answeredAt])
    if (answeredAt && i.answer) {
      const score = i.kind === 'csat' ? 1 + (i.answer.score % 5) : i.answer.score
      await ctx.sql(`insert into survey_responses (id, invitation_id, survey_id, customer_id, kind, score, ticket_id, agent_id, answered_at)
        values (crm_uuidv7(), $1, $2, $3, $4, $5, $6, $7, $8)`, [row.id, surveys[i.kind], customers[i.customer], i.kind, score, ticket, agent, answeredAt])
    }
  }
}
