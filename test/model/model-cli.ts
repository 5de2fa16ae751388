import t from 'tap'
import { buildTestApp, type DatabaseKind } from '../helper.js'
import { modelEnv, runModel } from './model-run.js'

/**
 * The model test on demand: `npm run test:model -- --runs N --seed S [--db pglite|postgres] [--max-commands K] [--minutes M]`.
 * PostgreSQL needs TEST_DATABASE_URL. On failure fast-check prints the seed, the path and the
 * shrunk command sequence; the totals are printed either way.
 */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback
}
const runs = Number(arg('runs', '100'))
const seed = Number(arg('seed', String(Date.now() % 2 ** 31)))
const db = arg('db', 'pglite') as DatabaseKind
const maxCommands = Number(arg('max-commands', '40'))
const minutes = Number(arg('minutes', '0'))
if (db === 'postgres' && !process.env.TEST_DATABASE_URL) throw new Error('--db postgres needs TEST_DATABASE_URL')

t.setTimeout(0)
t.test(`model test on ${db}, seed ${seed}, ${runs} runs`, { timeout: 0 }, async (t) => {
  const ctx = await buildTestApp(t, db, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', ...modelEnv })
  console.log(`model test: db ${db}, seed ${seed}, runs ${runs}, at most ${maxCommands} commands each`)
  const totals = { sequences: 0, commands: 0 }
  try {
    await runModel(ctx, {
      runs, seed, maxCommands, totals, minutes,
      progress: (x) => { if (x.sequences % 10 === 0) console.error(`model test: ${x.sequences} sequences, ${x.commands} commands so far`) }
    })
  } finally {
    console.log(`model test: ${totals.sequences} command sequences, ${totals.commands} commands ran (seed ${seed})`)
  }
  t.pass('no finding')
})
