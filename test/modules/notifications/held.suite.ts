import t from 'tap'
import { forEachDatabase } from '../../helper.js'
import { heldMessagesJob } from '../../../src/jobs/held-messages.job.js'
import { channel, customer, dayTime, enqueue, grant, messageRow, rand, template } from './gate-support.js'

await forEachDatabase(t, async (t, ctx) => {
  await channel(ctx, 'sms')
  const tpl = await template(ctx)
  const hold = async (c: string, day: number) => (await enqueue(ctx, [{ customerId: c, templateId: tpl, dedupeKey: `h-${rand()}` }], dayTime(day, 22)))[0]

  await t.test('held messages are queued when the morning comes, not before', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const held = await hold(c, 1)
    t.equal(held.status, 'held')
    const early = await heldMessagesJob.run(ctx.app.services, dayTime(2, 8))
    t.match(early, { released: 0 })
    t.equal((await messageRow(ctx, held.messageId!)).status, 'held')
    const at = dayTime(2, 9)
    const done = await heldMessagesJob.run(ctx.app.services, at)
    t.match(done, { released: 1 })
    const row = await messageRow(ctx, held.messageId!)
    t.equal(row.status, 'queued')
    t.equal(new Date(row.next_attempt_at!).toISOString(), at.toISOString())
  })

  await t.test('at release consent is checked again, and one held too long is dropped with its reason', async (t) => {
    const gone = await customer(ctx)
    await grant(ctx, gone, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const stale = await customer(ctx)
    await grant(ctx, stale, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const a = await hold(gone, 6)
    const b = await hold(stale, 5)
    // A withdrawal recorded straight in the table (an import, say): no message was blocked with it.
    await ctx.sql("insert into consent_records (id, customer_id, purpose, channel, granted, source, proof, occurred_at, actor_type) values (gen_random_uuid(), $1, 'marketing', 'any', false, 'import', 'x', now(), 'system')", [gone])
    const r = await heldMessagesJob.run(ctx.app.services, dayTime(7, 10))
    t.match(r, { released: 0, blocked: 1, dropped: 1 })
    t.match(await messageRow(ctx, a.messageId!), { status: 'blocked', reason: 'no_consent' })
    t.match(await messageRow(ctx, b.messageId!), { status: 'dropped', reason: 'held_too_long' })
  })

  await t.test('at release a cap filled meanwhile caps the held message', async (t) => {
    const c = await customer(ctx)
    await grant(ctx, c, 'any', 'marketing', '2024-01-01T00:00:00Z')
    const held = await hold(c, 10)
    // Sent meanwhile by hand (a row as the delivery worker leaves it).
    await ctx.sql(`insert into messages (id, channel_kind, purpose, recipient_kind, customer_id, status, created_at, sent_at) values (gen_random_uuid(), 'email', 'marketing', 'customer', $1, 'sent', $2, $2)`, [c, dayTime(11, 8)])
    const r = await heldMessagesJob.run(ctx.app.services, dayTime(11, 9))
    t.match(r, { capped: 1 })
    t.match(await messageRow(ctx, held.messageId!), { status: 'capped', reason: 'daily_cap' })
  })
})
