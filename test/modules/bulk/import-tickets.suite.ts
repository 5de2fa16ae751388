import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, exportLines, importBody } from './import-support.js'

type TicketRow = Record<string, unknown> & { id: string; external_id: string }

await forEachDatabase(t, async (t, ctx) => {
  const admin = ctx.adminToken
  const team = await ctx.createTeam('Ticket import team')
  const rep = await ctx.staff('sales', { teamId: team })
  const agent = await ctx.staff('service')
  const manager = await ctx.staff('manager', { teamId: team })
  await importBody(ctx, admin, 'customers', csv([['externalId', 'name', 'tier', 'ownerId'], ['TC-1', 'Ticket customer A', 'A', rep.userId], ['TC-2', 'Ticket customer B', '', '']]))
  const ids = Object.fromEntries((await ctx.sql<{ id: string; external_id: string }>(`select id, external_id from customers where external_id like 'TC-%'`)).map((r) => [r.external_id, r.id]))
  const ticket = async (externalId: string) => (await ctx.sql<TicketRow>('select * from tickets where external_id = $1', [externalId]))[0]

  await t.test('imports historical tickets from CSV: status and timestamps as given, a fresh token hash each, per-row errors', async (t) => {
    const r = await importBody(ctx, agent.token, 'tickets', csv([
      ['externalId', 'customerExternalId', 'customerId', 'channel', 'category', 'priority', 'subject', 'status', 'assigneeId', 'createdAt', 'resolvedAt', 'closedAt'],
      ['T-1', 'TC-1', '', 'phone', 'repair', 'high', 'Broken unit', 'closed', agent.userId, '2024-03-01T09:00:00+08:00', '2024-03-02T10:00:00+08:00', '2024-03-05T10:00:00+08:00'],
      ['T-2', '', ids['TC-2'], 'wechat', 'complaint', '', 'Late delivery', 'resolved', '', '2024-04-01T09:00:00Z', '2024-04-01T12:00:00Z', ''],
      ['T-3', 'TC-1', '', 'email', 'general', 'urgent', 'Still open', 'open', '', '', '', ''],
      ['T-4', 'TC-1', '', 'email', 'no-such', '', 'Unknown category', '', '', '', '', ''],
      ['T-5', 'NOBODY', '', 'email', 'general', '', 'Unknown customer', '', '', '', '', ''],
      ['T-6', 'TC-1', '', 'fax', 'general', '', 'Bad channel', '', '', '', '', ''],
      ['T-7', 'TC-1', '', 'email', 'general', '', 'Future', 'resolved', '', '', '2999-01-01T00:00:00Z', ''],
      ['T-8', 'TC-1', '', 'email', 'general', '', 'Resolved but open', 'open', '', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', ''],
      ['T-9', 'TC-1', '', 'email', 'general', '', 'Unknown agent', '', '01900000-0000-7000-8000-000000000000', '', '', ''],
      ['T-10', '', '', 'email', 'general', '', 'No customer', '', '', '', '', ''],
      ['T-11', 'TC-1', ids['TC-1'], 'email', 'general', '', 'Two customers', '', '', '', '', '']
    ]))
    t.equal(r.status, 200, JSON.stringify(r.body))
    t.match(r.body, { entity: 'tickets', rows: 11, created: 3, rejected: 8 })
    const byRow = Object.fromEntries(r.body.errors.map((e: { row: number; field: string; code: string }) => [e.row, `${e.field}:${e.code}`]))
    t.match(byRow, { 4: 'category:UNKNOWN_CATEGORY', 5: 'customerExternalId:UNKNOWN_CUSTOMER', 6: /^channel:/, 7: 'resolvedAt:IN_FUTURE', 8: 'resolvedAt:NOT_RESOLVED', 9: 'assigneeId:UNKNOWN_USER', 10: 'customerId:REQUIRED', 11: 'customerId:ONE_CUSTOMER' })
    t.match(r.body.errors.find((e: { row: number }) => e.row === 4), { message: /^is not a ticket category \(known: .*complaint.*repair.*\)$/ })

    const t1 = await ticket('T-1')
    t.match(t1, { customer_id: ids['TC-1'], status: 'closed', priority: 'high', channel: 'phone', category: 'repair', assignee_id: agent.userId, routed_via: 'import', customer_tier: 'A' })
    t.equal(new Date(t1.created_at as string).toISOString(), '2024-03-01T01:00:00.000Z')
    t.equal(new Date(t1.resolved_at as string).toISOString(), '2024-03-02T02:00:00.000Z')
    t.equal(new Date(t1.closed_at as string).toISOString(), '2024-03-05T02:00:00.000Z')
    t.match(t1, { first_response_minutes: null, resolution_minutes: null, first_response_due_at: null, resolution_due_at: null }, 'no SLA clocks for a closed ticket')
    t.match(t1.tracking_token_hash, /^[0-9a-f]{64}$/)
    const t2 = await ticket('T-2')
    t.match(t2, { status: 'resolved', priority: 'normal', customer_tier: null, closed_at: null })
    t.not(t2.tracking_token_hash, t1.tracking_token_hash)
    const t3 = await ticket('T-3')
    t.match(t3, { status: 'open', first_response_minutes: 30, resolution_minutes: 240 }, 'an open ticket gets the policy of its priority')
    t.ok(t3.first_response_due_at && t3.resolution_due_at, 'and its clocks')

    const history = await ctx.sql<{ from_status: string | null; to_status: string; note: string }>(
      'select from_status, to_status, note from ticket_status_changes where ticket_id = $1 order by at, id', [t1.id])
    t.same(history.map((h) => `${h.from_status}>${h.to_status}`), ['null>open', 'open>resolved', 'resolved>closed'])
    t.equal(history[0].note, 'imported')
    t.same((await ctx.sql<{ n: number }>('select count(*)::int as n from ticket_status_changes where ticket_id = $1', [t3.id]))[0].n, 1)
    const events = await ctx.sql<{ type: string; data: { ticket: Record<string, unknown> } }>(`select type, data from outbox_events where entity_id = $1`, [t1.id])
    t.match(events, [{ type: 'ticket.created', data: { ticket: { id: t1.id, externalId: 'T-1', status: 'closed', routedVia: 'import' } } }])
    t.notOk('trackingTokenHash' in events[0].data.ticket, 'the event never carries the token hash')
    t.same(await ctx.sql('select action, actor_id from audit_entries where entity_id = $1', [t1.id]), [{ action: 'ticket.created', actor_id: agent.userId }])
    t.equal((await ctx.sql<{ n: number }>(`select count(*)::int as n from tickets where external_id in ('T-4','T-5','T-6','T-7','T-8','T-9','T-10','T-11')`))[0].n, 0, 'refused rows leave no trace')
  })

  await t.test('a re-import by externalId updates what it names, keeps the token hash; the same content is unchanged; the customer is fixed', async (t) => {
    const before = await ticket('T-1')
    const r = await importBody(ctx, admin, 'tickets', [
      { externalId: 'T-1', customerExternalId: 'TC-1', channel: 'phone', category: 'repair', subject: 'Broken unit (replaced)' },
      { externalId: 'T-2', customerId: ids['TC-2'], channel: 'wechat', category: 'complaint', subject: 'Late delivery' },
      { externalId: 'T-3', customerExternalId: 'TC-2', channel: 'email', category: 'general', subject: 'Still open' }
    ].map((o) => JSON.stringify(o)).join('\n'), 'application/x-ndjson')
    t.match(r.body, { rows: 3, updated: 1, unchanged: 1, rejected: 1, errors: [{ row: 3, field: 'customerId', code: 'IMMUTABLE' }] })
    const after = await ticket('T-1')
    t.match(after, { subject: 'Broken unit (replaced)', status: 'closed', version: 2, tracking_token_hash: before.tracking_token_hash })
    const events = await ctx.sql<{ type: string; data: Record<string, unknown> }>(`select type, data from outbox_events where entity_id = $1 order by id`, [before.id])
    t.match(events.at(-1), { type: 'ticket.updated', data: { changes: { subject: { from: 'Broken unit', to: 'Broken unit (replaced)' } } } })
    t.notOk(JSON.stringify(events.at(-1)).includes('trackingTokenHash'))
  })

  await t.test('importing tickets takes write reach over every ticket', async (t) => {
    const body = csv([['externalId', 'customerExternalId', 'channel', 'category', 'subject'], ['T-R', 'TC-1', 'web', 'general', 'x']])
    t.equal((await importBody(ctx, manager.token, 'tickets', body)).status, 403)
    t.equal((await importBody(ctx, rep.token, 'tickets', body)).status, 403)
    t.equal((await importBody(ctx, await ctx.keyToken('integration'), 'tickets', body)).status, 200)
  })

  await t.test('exports tickets as NDJSON with the filters and reach of a list, never the token hash', async (t) => {
    const all = await exportLines(ctx, admin, 'tickets?orderBy=createdAt&direction=asc')
    t.equal(all.status, 200)
    t.match(all.type, /application\/x-ndjson/)
    t.same(all.lines.map((l: { externalId: string }) => l.externalId), ['T-1', 'T-2', 'T-3', 'T-R'], 'oldest first (T-3 was opened at its import)')
    t.ok(all.lines.every((l: Record<string, unknown>) => !('trackingTokenHash' in l) && !('deletedAt' in l)))
    t.match(all.lines.find((l: { externalId: string }) => l.externalId === 'T-1'), { status: 'closed', customerId: ids['TC-1'], category: 'repair', routedVia: 'import' })
    const closed = await exportLines(ctx, agent.token, 'tickets?status=closed')
    t.same(closed.lines.map((l: { externalId: string }) => l.externalId), ['T-1'])
    const mine = await exportLines(ctx, rep.token, 'tickets')
    t.equal(mine.status, 200)
    t.ok(mine.lines.length > 0 && mine.lines.every((l: { customerId: string }) => l.customerId === ids['TC-1']), "a rep sees the tickets of its team's customers only")
    const queue = await exportLines(ctx, manager.token, 'tickets')
    t.same(queue.lines, [], 'a manager sees the tickets assigned to or queued for the team: none here')
    t.equal((await exportLines(ctx, admin, 'tickets?status=lost')).status, 400)
  })
})
