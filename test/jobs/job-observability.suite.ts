import t from 'tap'
import { systemActor } from '../../src/modules/auth/actor.js'
import { DAY_MS } from '../../src/rules/rfm.js'
import { databaseKinds } from '../helper.js'
import { buildLoggedApp, eventually, metric, type LogLine } from '../support/logged-app.js'

/**
 * A background job that fails for real is seen: the nightly scoring job, run by the queue,
 * against kept histograms that lost their rows (as a bad restore would leave them) stops with
 * its own error. The run is logged (start, failure with the error), counted in /metrics, and
 * recorded as failed in scoringRuns; after the REBUILD the error asks for, the job succeeds.
 */
const RUNS = 'query { scoringRuns(first: 5) { id mode status error scored startedAt finishedAt } }'
const RUNS_INLINE_FAILURE = /scoring_histogram \w\[\d+\] would fall to -1/

for (const kind of databaseKinds) {
  await t.test(`${kind}: a failing job is logged, counted and recorded`, async (t) => {
    const { ctx, logged, lines } = await buildLoggedApp(t, kind, { JOBS_ENABLED: 'true' })
    const jobLines = (job: string, msg: string) => logged().filter((l) => l.job === job && l.msg === msg)
    const buy = (customerId: string, amount: number, daysAgo: number) =>
      ctx.app.services.orders.record(systemActor, { customerId, amount: { amount, currency: 'CNY' }, paidAt: new Date(Date.now() - daysAgo * DAY_MS).toISOString() })
    const buyers: string[] = []
    for (let i = 0; i < 6; i++) {
      const c = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: `Buyer ${i}` })
      buyers.push(c.json().id)
      await buy(buyers[i], 10_000 * (i + 1), 5 + 30 * i)
    }
    t.equal((await ctx.rest(ctx.adminToken, 'POST', '/api/v1/rfm/recompute', { mode: 'rebuild' })).statusCode, 200)
    t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="failure"}'), 0, 'every job\'s series start at zero')
    t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="success"}'), 0)

    // The kept histograms lose their rows; a new order then moves a scored customer's figures.
    await ctx.sql('delete from scoring_histogram')
    await buy(buyers[0], 5_000, 1)

    await t.test('the job fails: a start line, a failure line with the error, no query text', async (t) => {
      const id = await ctx.app.jobs!.send('rfm-recompute')
      t.ok(id, 'queued')
      t.ok(await eventually(() => jobLines('rfm-recompute', 'job failed').length > 0), 'the failure was logged')
      const [failed] = jobLines('rfm-recompute', 'job failed')
      t.match(failed, { level: 50, job: 'rfm-recompute', jobId: id, durationMs: Number, error: { type: 'Error', message: RUNS_INLINE_FAILURE, stack: /^    at / } })
      t.ok(jobLines('rfm-recompute', 'job started').some((l: LogLine) => l.jobId === id), 'its start was logged')
      t.notMatch(lines.join(''), /Failed query|insert into|params:/, 'no statement text or parameters reach the log')
      // pg-boss marks the run failed and retries it once; the retry fails the same way.
      t.ok(await eventually(async () => (await ctx.sql<{ state: string }>('select state from pgboss.job where id = $1', [id]))[0]?.state === 'failed'), 'pg-boss holds the run failed')
      t.equal(jobLines('rfm-recompute', 'job failed').length, 2, 'the run and its retry')
      t.equal(jobLines('rfm-recompute', 'job started').length, 2)
    })

    await t.test('/metrics counts the failure and its duration', async (t) => {
      t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="failure"}'), 2)
      t.equal(await metric(ctx, 'crm_job_duration_seconds_count{job="rfm-recompute",outcome="failure"}'), 2)
      t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="success"}'), 0)
    })

    await t.test('scoringRuns shows the failed run, over GraphQL and REST', async (t) => {
      const runs = (await ctx.gql(ctx.adminToken, RUNS)).data.scoringRuns
      t.match(runs.slice(0, 2), [{ mode: 'INCREMENTAL', status: 'FAILED', error: RUNS_INLINE_FAILURE, scored: 0 }, { status: 'FAILED' }], 'the run and its retry')
      t.match(runs.at(-1), { mode: 'REBUILD', status: 'SUCCEEDED', error: null })
      const rest = (await ctx.rest(ctx.adminToken, 'GET', '/api/v1/rfm/runs?limit=1')).json().data
      t.match(rest, [{ mode: 'incremental', status: 'failed', error: RUNS_INLINE_FAILURE, rfmChanged: 0, segments: [] }])
    })

    await t.test('on demand, the same failure answers INTERNAL and is recorded too', async (t) => {
      const before = (await ctx.sql<{ n: number }>(`select count(*)::int as n from scoring_runs where status = 'failed'`))[0].n
      const r = await ctx.gql(ctx.adminToken, 'mutation { recomputeRfm(input: { mode: INCREMENTAL }) { run { id } userErrors { message } } }')
      t.equal(r.errors?.[0].extensions?.code, 'INTERNAL')
      const after = (await ctx.sql<{ n: number }>(`select count(*)::int as n from scoring_runs where status = 'failed'`))[0].n
      t.equal(after, before + 1)
    })

    await t.test('after the REBUILD the error asks for, the job succeeds: a finish line with what it did, counted', async (t) => {
      const r = await ctx.gql(ctx.adminToken, 'mutation { recomputeRfm(input: { mode: REBUILD }) { run { status } userErrors { message } } }')
      t.equal(r.data.recomputeRfm.run.status, 'SUCCEEDED')
      const id = await ctx.app.jobs!.send('rfm-recompute')
      t.ok(await eventually(() => jobLines('rfm-recompute', 'job finished').some((l) => l.jobId === id)), 'the success was logged')
      const finished = jobLines('rfm-recompute', 'job finished').find((l) => l.jobId === id)
      t.match(finished, { level: 30, durationMs: Number, result: { runId: String, scored: 6 } })
      t.equal(jobLines('rfm-recompute', 'job finished').length, 1)
      t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="success"}'), 1)
      t.equal(await metric(ctx, 'crm_job_duration_seconds_count{job="rfm-recompute",outcome="success"}'), 1)
      t.equal(await metric(ctx, 'crm_job_runs_total{job="rfm-recompute",outcome="failure"}'), 2, 'failures stay counted')
      const [latest] = (await ctx.gql(ctx.adminToken, RUNS)).data.scoringRuns
      t.match(latest, { mode: 'INCREMENTAL', status: 'SUCCEEDED', error: null, scored: 6 })
    })
  })
}
