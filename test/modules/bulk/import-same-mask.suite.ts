import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { csv, importBody } from './import-support.js'

// A re-import with a new phone or email under the same mask is a change: audited and announced, as a single write.
await forEachDatabase(t, async (t, ctx) => {
  const first = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'phone', 'email'], ['M-1', 'Mask Twin', '13812341234', 'ann@example.com']]))
  t.match(first.body, { created: 1 })
  const second = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'phone', 'email'], ['M-1', 'Mask Twin', '13899991234', 'axn@example.com']]))
  t.match(second.body, { updated: 1, rejected: 0 })
  const [row] = await ctx.sql<{ id: string; version: number }>(`select id, version from customers where external_id = 'M-1'`)
  t.equal(row.version, 2)
  const events = await ctx.sql<{ data: { changes: Record<string, { from: string; to: string }> } }>(`select data from outbox_events where type = 'customer.updated' and entity_id = $1`, [row.id])
  t.equal(events.length, 1, 'one customer.updated')
  t.same(Object.keys(events[0].data.changes).sort(), ['email', 'phone'])
  t.same(events[0].data.changes.phone, { from: '138****1234', to: '138****1234' })
  t.notOk(JSON.stringify(events[0].data).includes('13899991234'), 'never the clear number')
  t.equal((await ctx.sql(`select 1 from audit_entries where action = 'customer.updated' and entity_id = $1`, [row.id])).length, 1, 'audited')
  const again = await importBody(ctx, ctx.adminToken, 'customers', csv([['externalId', 'name', 'phone'], ['M-1', 'Mask Twin', '+86 138 9999 1234']]))
  t.match(again.body, { unchanged: 1, updated: 0 }, 'the same number written differently is no change')
})
