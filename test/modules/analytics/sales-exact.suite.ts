import t from 'tap'
import fc from 'fast-check'
import { forEachDatabase } from '../../helper.js'
import { expectedSales, snapshot, type Filters, type Viewer } from './sales.model.js'
import { buildWorld, periodArb, scenarioArb, writeScenario, type World } from './sales.world.js'
import { cellNumber, differences, fourWays } from './sales.support.js'

type Expected = ReturnType<typeof expectedSales>
type Row = Expected['reps'][number] | Expected['teams'][number]

/** The CSV cells a row of the answer must have, named as the CSV names its columns. */
function csvCells(row: Row, currencies: string[]): Record<string, number | string | null> {
  const cells: Record<string, number | string | null> = {
    leadsAssigned: row.leadsAssigned, firstResponseCount: row.firstResponse.count,
    firstResponseMedianSeconds: row.firstResponse.medianSeconds, firstResponseP90Seconds: row.firstResponse.p90Seconds,
    followUpDue: row.followUpDue, followUpMet: row.followUpMet, followUpCompliance: row.followUpCompliance,
    opportunitiesOpened: row.opportunitiesOpened, won: row.won, lost: row.lost, winRate: row.winRate,
    averageSalesCycleSeconds: row.averageSalesCycleSeconds, activities: row.activities, customersOwned: row.customersOwned,
    topLostReasons: row.topLostReasons.map((r) => `${r.reason ?? ''}: ${r.count}`).join('; ')
  }
  for (const c of currencies) cells[`wonAmount_${c}`] = row.wonAmount.find((m) => m.currency === c)?.amount ?? 0
  for (const s of row.openPipeline) {
    cells[`open_${s.stage}_count`] = s.count
    for (const c of currencies) {
      cells[`open_${s.stage}_amount_${c}`] = s.amount.find((m) => m.currency === c)?.amount ?? 0
      cells[`open_${s.stage}_weightedAmount_${c}`] = s.weightedAmount.find((m) => m.currency === c)?.amount ?? 0
    }
  }
  for (const k of row.activitiesByKind) cells[`activities_${k.kind}`] = k.count
  return cells
}

function csvDifferences(csv: Record<string, string>[], expected: Expected): string[] {
  const out: string[] = []
  const rows = [...expected.reps.map((r) => ({ level: 'rep', id: r.userId, row: r as Row })), ...expected.teams.map((r) => ({ level: 'team', id: r.teamId ?? '', row: r as Row }))]
  if (csv.length !== rows.length) out.push(`csv rows ${csv.length} != ${rows.length}`)
  const currencies = Object.keys(csv[0] ?? {}).filter((k) => k.startsWith('wonAmount_')).map((k) => k.slice('wonAmount_'.length))
  for (const { level, id, row } of rows) {
    const line = csv.find((l) => l.level === level && (level === 'rep' ? l.userId === id : l.teamId === id))
    if (!line) { out.push(`csv: no ${level} row ${id}`); continue }
    for (const [column, want] of Object.entries(csvCells(row, currencies))) {
      const got = typeof want === 'string' ? line[column] : cellNumber(line[column])
      differences(got, want, `csv.${level}.${id}.${column}`, out)
    }
  }
  return out
}

await forEachDatabase(t, async (t, ctx) => {
  const world: World = await buildWorld(ctx)
  const viewers: { name: string; token: string; viewer: Viewer; filters: (w: World) => Filters }[] = [
    { name: 'admin', token: ctx.adminToken, viewer: { reach: 'all' }, filters: () => ({}) },
    { name: 'admin, North only', token: ctx.adminToken, viewer: { reach: 'all' }, filters: (w) => ({ teamId: w.north }) },
    { name: 'admin, one rep', token: ctx.adminToken, viewer: { reach: 'all' }, filters: (w) => ({ ownerId: w.southSales.userId }) },
    { name: 'North sales rep', token: world.northSales.token, viewer: { reach: 'team', userId: world.northSales.userId, teamId: world.north }, filters: () => ({}) },
    { name: 'South manager, North filter', token: world.southManager.token, viewer: { reach: 'team', userId: world.southManager.userId, teamId: world.south }, filters: (w) => ({ teamId: w.north }) },
    { name: 'rep without a team', token: world.loner.token, viewer: { reach: 'team', userId: world.loner.userId, teamId: null }, filters: () => ({}) }
  ]

  await t.test('salesPerformance equals the figures computed from the records, on every transport and in CSV', async (t) => {
    await fc.assert(fc.asyncProperty(periodArb.chain((p) => fc.record({ p: fc.constant(p), s: scenarioArb(p), v: fc.nat(viewers.length - 1) })), async ({ p, s, v }) => {
      await writeScenario(ctx, world, s)
      const snap = await snapshot(ctx)
      const { token, viewer, filters } = viewers[v]
      const f = filters(world)
      const expected = expectedSales(snap, viewer, f, p, Date.now())
      const got = await fourWays(ctx, token, 'salesPerformance', 'sales-performance', { from: new Date(p.from).toISOString(), to: new Date(p.to).toISOString(), ...f })
      const problems = [
        ...differences({ reps: got.vars.reps, teams: got.vars.teams }, expected).map((d) => `gql ${d}`),
        ...differences(got.inline, got.vars).map((d) => `inline ${d}`),
        ...differences({ reps: got.json.reps, teams: got.json.teams }, expected).map((d) => `rest ${d}`),
        ...csvDifferences(got.csv, expected)
      ]
      if (new Date(got.json.period.from).getTime() !== p.from || got.vars.period.timeZone !== 'Asia/Shanghai') problems.push('period')
      if (problems.length) throw new Error(`${viewers[v].name}: ${problems.slice(0, 12).join('\n')}`)
    }), { numRuns: Number(process.env.ANALYTICS_RUNS ?? 5), endOnFailure: true })
    t.pass()
  })
})
