import t from 'tap'
import { forEachDatabase } from '../../helper.js'

// A new phone or email with the same masked form (138****5678) is still a change: audited and announced.
await forEachDatabase(t, async (t, ctx) => {
  const created = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: 'Mask Twin', phone: '13812345678', email: 'ann@example.com' })
  const id = created.json().id
  const r = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { phone: '13899995678', email: 'axn@example.com' })
  t.equal(r.statusCode, 200)
  t.equal(r.json().phone, '13899995678')
  const events = await ctx.sql<{ data: { changes: Record<string, { from: string; to: string }> } }>(`select data from outbox_events where type = 'customer.updated' and entity_id = $1`, [id])
  t.equal(events.length, 1, 'one customer.updated')
  const changes = events[0].data.changes
  t.same(Object.keys(changes).sort(), ['email', 'phone'])
  t.equal(changes.phone.from, changes.phone.to, 'reported with the masked forms, which happen to be equal')
  t.notOk(JSON.stringify(changes).includes('13899995678'), 'never the clear number')
  const audits = await ctx.sql(`select 1 from audit_entries where action = 'customer.updated' and entity_id = $1`, [id])
  t.equal(audits.length, 1, 'audited')
  const same = await ctx.rest(ctx.adminToken, 'PATCH', `/api/v1/customers/${id}`, { phone: '+86 138 9999 5678' })
  t.equal(same.statusCode, 200)
  t.equal((await ctx.sql(`select 1 from outbox_events where type = 'customer.updated' and entity_id = $1`, [id])).length, 1, 'the same number written differently is no change')
})
