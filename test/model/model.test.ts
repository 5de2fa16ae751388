import t from 'tap'
import { buildTestApp, databaseKinds } from '../helper.js'
import { modelEnv, runModel } from './model-run.js'

/**
 * The stateful model test (issue 15 §2) in `npm test`: a fixed seed and a bounded number of
 * runs per database. Longer runs: `npm run test:model -- --runs N --seed S [--db postgres]`.
 */
const runs = Number(process.env.MODEL_RUNS ?? 8)
const seed = Number(process.env.MODEL_SEED ?? 20251203)

for (const kind of databaseKinds) {
  t.test(`model test on ${kind}`, async (t) => {
    const ctx = await buildTestApp(t, kind, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...modelEnv })
    const totals = await runModel(ctx, { runs, seed, maxCommands: 40 })
    t.comment(`${kind}: ${totals.sequences} command sequences, ${totals.commands} commands ran`)
    t.ok(totals.commands > 0)
  })
}
