import t from 'tap'
import { seed, type SeedSummary } from '../../src/cli/seed-run.js'
import { forEachDatabase, type TestApp } from '../helper.js'

/** The seed CLI's referral side (--users, --campaigns, --referrals): counts, links and timelines consistent, deterministic. */

const piiKeyOf = (ctx: TestApp) => Buffer.from(ctx.app.config.PII_KEY!, 'base64')

/** The run's rows of a table in the order the seeder made them (by the number after `-<letter>` in externalId). */
const byRun = (table: string, letter: string, run: string) =>
  `select * from ${table} where external_id like 'seed-${run}-${letter}%' order by (substring(external_id from '-${letter}(\\d+)'))::int, external_id`

await forEachDatabase(t, async (t, ctx) => {
  await ctx.staff('sales')
  const now = new Date()
  const options = { customers: 400, orders: 2500, referrers: 40, users: 12, campaigns: 6, referrals: 1500, seed: 11, batch: 400, now, piiKey: piiKeyOf(ctx) }
  const first: SeedSummary = await seed(ctx.app.database, options)
  const run = first.runId
  const mine = (letter: string) => `like 'seed-${run}-${letter}%'`

  await t.test('writes the counts asked for: users in teams, campaigns with costs and rules, referrals with what followed', async (t) => {
    const [c] = await ctx.sql<Record<string, number>>(`select
      (select count(*)::int from users where external_id ${mine('u')}) as users,
      (select count(*)::int from teams where external_id ${mine('t')}) as teams,
      (select count(*)::int from users where external_id ${mine('u')} and role = 'manager') as managers,
      (select count(*)::int from campaigns where external_id ${mine('m')}) as campaigns,
      (select count(*)::int from campaign_costs where external_id ${mine('k')}) as costs,
      (select count(*)::int from incentive_rules where external_id ${mine('i')}) as rules,
      (select count(*)::int from referrals where external_id ${mine('x')}) as referrals,
      (select count(*)::int from leads where external_id ${mine('l')}) as leads,
      (select count(*)::int from opportunities where external_id ${mine('y')}) as opportunities,
      (select count(*)::int from rewards r join referrals x on x.id = r.referral_id and x.external_id ${mine('x')}) as rewards`)
    t.same(c, {
      users: 12, teams: 2, managers: 2, campaigns: 6, costs: first.campaignCosts, rules: 7, referrals: 1500,
      leads: first.funnel!.leads, opportunities: first.funnel!.opportunities, rewards: first.funnel!.rewards
    })
    t.match(first, { users: 12, campaigns: 6, funnel: { referrals: 1500 } })
    const statuses = await ctx.sql<{ status: string }>(`select distinct status::text from referrals where external_id ${mine('x')} order by 1`)
    t.same(statuses.map((s) => s.status), ['converted', 'pending_consent', 'qualified', 'rejected', 'submitted'], 'every status')
    t.same(Object.keys(first.funnel!.byStatus).sort(), statuses.map((s) => s.status))
  })

  await t.test('timestamps are ordered, never in the future, and spread over 30 and 365 days', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (count(*) filter (where not (submitted_at <= coalesce(consented_at, submitted_at) and coalesce(consented_at, submitted_at) <= coalesce(qualified_at, consented_at, submitted_at)
        and coalesce(qualified_at, consented_at, submitted_at) <= coalesce(converted_at, qualified_at, consented_at, submitted_at))))::int as unordered,
      (count(*) filter (where greatest(submitted_at, consented_at, qualified_at, converted_at, rejected_at, updated_at) > $1))::int as future,
      (count(*) filter (where rejected_at < submitted_at or (status = 'rejected') <> (rejected_at is not null)))::int as rejections,
      (count(*) filter (where (status = 'converted') <> (converted_at is not null)))::int as conversions,
      (count(*) filter (where submitted_at >= $1::timestamptz - interval '30 days'))::int as last30,
      (count(*) filter (where submitted_at < $1::timestamptz - interval '30 days' and submitted_at >= $1::timestamptz - interval '365 days'))::int as last365,
      (count(*) filter (where converted_at >= $1::timestamptz - interval '30 days'))::int as converted30
      from referrals where external_id ${mine('x')}`, [now.toISOString()])
    t.match(r, { unordered: 0, future: 0, rejections: 0, conversions: 0 })
    t.ok(r.last30 > 0 && r.last365 > r.last30 && r.converted30 > 0, JSON.stringify(r))
    const [f] = await ctx.sql<{ before: number }>(`select count(*)::int as before from referrals x join referrers f on f.id = x.referrer_id
      where x.external_id ${mine('x')} and x.submitted_at < f.created_at`)
    t.equal(f.before, 0, 'no referral before its referrer joined')
  })

  await t.test('a converted referral has its lead, customer and won opportunity; only pending and rejected ones lack a lead', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (count(*) filter (where x.status = 'converted'))::int as converted,
      (count(*) filter (where x.status = 'converted' and (l.status <> 'converted' or l.customer_id <> x.customer_id or l.converted_opportunity_id <> x.opportunity_id
        or c.referred_by_referral_id <> x.id or c.referrer_id <> x.referrer_id or o.stage <> 'won' or o.closed_at <> x.converted_at or o.customer_id <> c.id
        or c.created_at <> l.converted_at or l.converted_at < x.qualified_at)))::int as broken,
      (count(*) filter (where (x.lead_id is null) <> (x.status in ('pending_consent', 'rejected'))))::int as leads,
      (count(*) filter (where x.lead_id is not null and (l.referral_id <> x.id or l.referrer_id <> x.referrer_id or l.campaign_id is distinct from x.campaign_id or l.created_at <> x.consented_at)))::int as backlinks,
      (count(*) filter (where x.status = 'qualified' and l.status not in ('qualified', 'converted')))::int as qualified
      from referrals x left join leads l on l.id = x.lead_id left join customers c on c.id = x.customer_id left join opportunities o on o.id = x.opportunity_id
      where x.external_id ${mine('x')}`)
    t.ok(r.converted > 50, `${r.converted} converted`)
    t.match(r, { broken: 0, leads: 0, backlinks: 0, qualified: 0 })
  })

  await t.test('leads are owned by sales staff, with assignment, first-contact SLA and activities by their owner', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (count(*) filter (where u.id is null or u.role not in ('sales', 'manager')))::int as unowned,
      (count(*) filter (where l.assigned_at < l.created_at or l.first_contacted_at < l.assigned_at or l.first_contact_due_at <> l.assigned_at + interval '24 hours'))::int as clock,
      (count(*) filter (where (l.first_contact_breached_at is not null) <> (coalesce(l.first_contacted_at, $1) > l.first_contact_due_at and l.first_contact_due_at <= $1)))::int as breaches,
      (count(*) filter (where l.first_contacted_at is not null and l.last_activity_at is distinct from (select max(a.occurred_at) from activities a where a.lead_id = l.id)))::int as activity,
      (select count(*)::int from activities a join leads m on m.id = a.lead_id where m.external_id ${mine('l')} and (a.author_id <> m.owner_id or a.occurred_at < m.first_contacted_at)) as authors,
      (count(distinct u.team_id))::int as teams
      from leads l left join users u on u.id = l.owner_id where l.external_id ${mine('l')}`, [now.toISOString()])
    t.match(r, { unowned: 0, clock: 0, breaches: 0, activity: 0, authors: 0 })
    t.ok(r.teams >= 2, 'owners in several teams')
  })

  await t.test('opportunities walk the stages in order; closed ones have closed_at, lost ones a reason', async (t) => {
    const stages = await ctx.sql<{ stage: string; n: number; bad: number }>(`select o.stage::text as stage, count(*)::int as n,
      (count(*) filter (where (o.closed_at is not null) <> (o.stage in ('won', 'lost')) or (o.lost_reason is not null) <> (o.stage = 'lost')
        or o.stage_changed_at <> h.last_at or h.last_stage <> o.stage::text or h.first_at <> o.created_at or h.first_from is not null
        or (o.closed_at is not null and o.closed_at <> o.stage_changed_at)))::int as bad
      from opportunities o cross join lateral (
        select max(changed_at) as last_at, min(changed_at) as first_at,
          (array_agg(to_stage::text order by changed_at desc, probability))[1] as last_stage,
          (array_agg(from_stage::text order by changed_at, probability))[1] as first_from
        from opportunity_stage_history where opportunity_id = o.id) h
      where o.external_id ${mine('y')} group by 1 order by 1`)
    t.ok(stages.every((s) => s.bad === 0), JSON.stringify(stages))
    const names = stages.map((s) => s.stage)
    t.ok(names.includes('won') && names.includes('lost') && names.some((n) => !['won', 'lost'].includes(n)), `stages: ${names.join(', ')}`)
  })

  await t.test('rewards: one per converted referral, for its referrer and campaign; a reversal mirrors each reversed reward', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (select count(*)::int from referrals x where x.external_id ${mine('x')} and x.status = 'converted'
        and (select count(*) from rewards w where w.referral_id = x.id and w.kind = 'reward' and w.referrer_id = x.referrer_id and w.campaign_id is not distinct from x.campaign_id) <> 1) as missing,
      (select count(*)::int from rewards w join referrals x on x.id = w.referral_id where x.external_id ${mine('x')} and x.status <> 'converted') as stray,
      (select count(*)::int from rewards w join referrals x on x.id = w.referral_id where x.external_id ${mine('x')} and w.kind = 'reward'
        and (w.status = 'reversed') <> exists (select 1 from rewards v where v.reverses_id = w.id and v.kind = 'reversal' and v.amount = -w.amount)) as reversals,
      (select count(distinct w.status)::int from rewards w join referrals x on x.id = w.referral_id where x.external_id ${mine('x')} and w.kind = 'reward') as statuses`)
    t.match(r, { missing: 0, stray: 0, reversals: 0 })
    t.ok(r.statuses >= 2, `${r.statuses} reward statuses`)
  })

  await t.test('orders of referred customers carry the referral, its referrer and campaign, paid after the referral was won', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (count(*) filter (where o.referral_id is distinct from c.referred_by_referral_id or (x.id is not null and (o.referrer_id <> x.referrer_id or o.campaign_id is distinct from x.campaign_id))))::int as misattributed,
      (count(*) filter (where x.status = 'converted' and o.paid_at < x.converted_at))::int as early,
      (count(*) filter (where o.referral_id is not null))::int as attributed,
      (count(*) filter (where o.campaign_id is not null))::int as campaigns
      from orders o join customers c on c.id = o.customer_id left join referrals x on x.id = c.referred_by_referral_id where o.external_id ${mine('o')}`)
    t.match(r, { misattributed: 0, early: 0 })
    t.ok(r.attributed > 0 && r.campaigns > 0, JSON.stringify(r))
  })

  await t.test('campaign costs fall within their campaign; the API reads the seeded referral and lead', async (t) => {
    const [r] = await ctx.sql<{ outside: number }>(`select count(*)::int as outside from campaign_costs k join campaigns m on m.id = k.campaign_id
      where k.external_id ${mine('k')} and (k.incurred_on < (m.starts_at at time zone 'UTC')::date or k.incurred_on > (m.ends_at at time zone 'UTC')::date or k.amount <= 0)`)
    t.equal(r.outside, 0)
    const [x] = await ctx.sql<{ id: string; lead_id: string }>(`select id, lead_id from referrals where external_id ${mine('x')} and status = 'converted' limit 1`)
    t.equal((await ctx.rest(ctx.adminToken, 'GET', `/api/v1/referrals/${x.id}`)).statusCode, 200)
    const lead = await ctx.rest(ctx.adminToken, 'GET', `/api/v1/leads/${x.lead_id}`)
    t.equal(lead.statusCode, 200)
    t.equal(lead.json().status, 'converted')
  })

  await t.test('the same seed gives the same referrals, leads, opportunities and rewards', async (t) => {
    const second = await seed(ctx.app.database, options)
    const referrals = (r: string) => ctx.sql(`select status, channel, name, phone_masked, region, rejection_reason, submitted_at, consented_at, qualified_at, converted_at from (${byRun('referrals', 'x', r)}) q`)
    const leads = (r: string) => ctx.sql(`select status, name, assigned_at, first_contacted_at, last_activity_at, converted_at from (${byRun('leads', 'l', r)}) q`)
    const deals = (r: string) => ctx.sql(`select stage, amount, lost_reason, closed_at from (${byRun('opportunities', 'y', r)}) q`)
    const campaigns = (r: string) => ctx.sql(`select name, channel, starts_at, ends_at, budget_amount from (${byRun('campaigns', 'm', r)}) q`)
    t.same(await referrals(second.runId), await referrals(run))
    t.same(await leads(second.runId), await leads(run))
    t.same(await deals(second.runId), await deals(run))
    t.same(await campaigns(second.runId), await campaigns(run))
    t.same(second.funnel, first.funnel)
    const other = await seed(ctx.app.database, { ...options, seed: 12 })
    t.not(JSON.stringify(await referrals(other.runId)), JSON.stringify(await referrals(run)), 'another seed, other data')
  })

  await t.test('referrers of kind customer are this run\'s customers, each a different one', async (t) => {
    const [r] = await ctx.sql<Record<string, number>>(`select
      (count(*) filter (where f.kind = 'customer' and c.id is null))::int as unlinked,
      (count(*) filter (where f.kind <> 'customer' and f.customer_id is not null))::int as others,
      (count(*) filter (where f.kind = 'customer'))::int as customers,
      count(distinct f.customer_id)::int as distinct
      from referrers f left join customers c on c.id = f.customer_id and c.external_id ${mine('c')} where f.external_id ${mine('r')}`)
    t.match(r, { unlinked: 0, others: 0, distinct: r.customers })
    t.ok(r.customers > 0)
  })

  await t.test('refuses referrals without referrers', async (t) => {
    await t.rejects(seed(ctx.app.database, { customers: 10, orders: 0, referrals: 5, piiKey: piiKeyOf(ctx) }), RangeError)
  })
})
