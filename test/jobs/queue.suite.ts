import t from 'tap'
import pg from 'pg'
import { buildTestApp, databaseKinds } from '../helper.js'

/** Polls until `check` holds (the worker runs on its own schedule); fails after `limitMs`. */
async function eventually(check: () => Promise<boolean>, limitMs = 60_000): Promise<boolean> {
  const until = Date.now() + limitMs
  while (Date.now() < until) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 250))
  }
  return false
}

for (const kind of databaseKinds) {
  await t.test(kind, async (t) => {
    const ctx = await buildTestApp(t, kind, { JOBS_ENABLED: 'true', FOLLOW_UP_SCAN_CRON: '0 3 * * *', CONSENT_EXPIRY_CRON: '0 4 * * *', REWARD_APPROVAL_CRON: '*/5 * * * *', TICKET_SLA_SCAN_CRON: '0 5 * * *', SURVEY_DISPATCH_CRON: '0 6 * * *' })

    await t.test('starts pg-boss in its own schema with each job queued and scheduled on its cron', async (t) => {
      const queues = await ctx.sql<{ name: string; policy: string }>("select name, policy from pgboss.queue where name not like '\\_\\_%' order by name")
      t.strictSame(queues.map((q) => q.name), ['coupon-batches', 'held-messages', 'idempotency-key-purge', 'journey-scan', 'lead-follow-up-scan', 'level-review', 'points-expiry', 'privacy-retention', 'referral-consent-expiry', 'reward-auto-approval', 'rfm-recompute', 'survey-dispatch', 'ticket-sla-scan', 'webhook-history-prune'])
      t.ok(queues.every((q) => q.policy === 'stately'), 'one pass at a time per job')
      const schedules = await ctx.sql<{ name: string; cron: string }>('select name, cron from pgboss.schedule order by name')
      t.strictSame(schedules.map((x) => [x.name, x.cron]), [['coupon-batches', '* * * * *'], ['held-messages', '* * * * *'], ['idempotency-key-purge', '23 * * * *'], ['journey-scan', '*/5 * * * *'], ['lead-follow-up-scan', '0 3 * * *'], ['level-review', '35 16 * * *'], ['points-expiry', '5 16 * * *'], ['privacy-retention', '45 3 * * *'], ['referral-consent-expiry', '0 4 * * *'], ['reward-auto-approval', '*/5 * * * *'], ['rfm-recompute', '0 18 * * *'], ['survey-dispatch', '0 6 * * *'], ['ticket-sla-scan', '0 5 * * *'], ['webhook-history-prune', '30 3 * * *']])
    })

    await t.test('a job sent by name is run by the worker: the follow-up scan acts on an overdue lead', async (t) => {
      const team = await ctx.createTeam('Jobs team')
      const manager = await ctx.staff('manager', { teamId: team })
      const rep = await ctx.staff('sales', { teamId: team })
      const lead = (await ctx.rest(manager.token, 'POST', '/api/v1/leads', { source: 'event', name: 'Overdue', ownerId: rep.userId })).json()
      await ctx.sql("update leads set first_contact_due_at = now() - interval '1 hour' where id = $1", [lead.id])
      const id = await ctx.app.jobs!.send('lead-follow-up-scan')
      t.ok(id, 'queued')
      const ran = await eventually(async () =>
        (await ctx.sql('select id from tasks where lead_id = $1 and origin = $2', [lead.id, 'follow_up_policy'])).length === 1)
      t.ok(ran, 'the worker ran the scan')
      const [task] = await ctx.sql<{ assignee_id: string }>('select assignee_id from tasks where lead_id = $1', [lead.id])
      t.equal(task.assignee_id, manager.userId)
    })

    await t.test('closing the app stops the queue cleanly', async (t) => {
      await t.resolves(ctx.app.close())
      if (kind === 'postgres') {
        const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL })
        await client.connect()
        const database = new URL(ctx.app.config.DATABASE_URL!).pathname.slice(1)
        // A backend leaves pg_stat_activity a moment after its client hung up: look until it is gone.
        const open = async () => (await client.query("select count(*)::int as n from pg_stat_activity where application_name = 'referral-crm-jobs' and datname = $1", [database])).rows[0].n as number
        const closed = await eventually(async () => (await open()) === 0, 5_000)
        await client.end()
        t.ok(closed, "the queue's own pool is closed")
      }
    })
  })
}

t.test('with JOBS_ENABLED=false no queue starts', async (t) => {
  const ctx = await buildTestApp(t, 'pglite')
  t.equal(ctx.app.jobs, null)
  const schema = await ctx.sql("select 1 from information_schema.schemata where schema_name = 'pgboss'")
  t.same(schema, [])
})
