import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { bucketKey, type Bucket } from '../../../src/rules/report-period.js'

// Reports bucket in SQL (date_trunc in the zone) and list buckets in JS (src/rules/report-period.ts): they must agree.
await forEachDatabase(t, async (t, ctx) => {
  await t.test('date_trunc in the database names the same bucket as bucketKey, in zones with and without DST', async (t) => {
    const samples = fc.sample(fc.tuple(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
      fc.constantFrom('Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe', 'UTC'),
      fc.constantFrom<Bucket>('day', 'week', 'month')
    ), { numRuns: 300, seed: 16 })
    // Local midnights and the instant before them are where an off-by-one would show.
    const edges = ['2026-11-30T16:00:00Z', '2026-11-30T15:59:59.999Z', '2026-03-08T07:00:00Z', '2026-11-01T05:00:00Z']
      .map((iso) => [Date.parse(iso), 'America/New_York', 'day'] as const)
    const cases = [...samples, ...edges]
    const found = await ctx.sql<{ key: string }>(
      `select to_char(date_trunc(b, to_timestamp(ms / 1000.0) at time zone z), 'YYYY-MM-DD') as key
       from unnest($1::float8[], $2::text[], $3::text[]) with ordinality as x(ms, z, b, n) order by n`,
      [cases.map((c) => c[0]), cases.map((c) => c[1]), cases.map((c) => c[2])])
    const mismatches = cases.filter((c, i) => bucketKey(new Date(c[0]), c[2], c[1]) !== found[i].key)
    t.same(mismatches, [], `${cases.length} instants`)
  })
})
