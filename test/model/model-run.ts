import fc from 'fast-check'
import type { TestApp } from '../helper.js'
import { allCommands } from './model-commands.js'
import { checkLedger, checkRead, walkList } from './model-invariants.js'
import { createModelLevels } from './model-levels.js'
import { createModelTemplate } from './model-coupons.js'
import { createAutomationFixtures, stopSmsProvider } from './model-automation.js'
import { checkReport, reportNames } from './model-invariants-analytics.js'
import { campaignScene } from './model-commands-campaigns.js'
import { checkTickets, serviceScene } from './model-commands-tickets.js'
import { automationScene } from './model-commands-engine.js'
import { Model, type Actor, type EntityName } from './model-state.js'
import { World, type Caller, type RoleName } from './model-world.js'

/**
 * The runner both entry points use (model.test.ts under tap, model-cli.ts on demand): one app
 * and database for all runs, emptied of business data before each run; fresh callers' tokens
 * per run; fast-check's commands + asyncModelRun; a full visibility check after each sequence.
 */
/**
 * The app's settings for model runs: the public per-IP limits (10 a minute) are lifted, since one
 * app serves every sequence and a fast run follows more unsubscribe links than that in a minute
 * (429 is tested in test/modules, not here).
 */
export const modelEnv: Record<string, string> = { PUBLIC_RATE_LIMIT_PER_IP: '100000' }

export type RunOptions = { runs: number; seed: number; maxCommands: number; totals?: RunTotals; progress?: (t: RunTotals) => void; minutes?: number }
export type RunTotals = { sequences: number; commands: number }

type Account = { name: RoleName; role: string; userId: string | null; teamId: string | null; apiKey: string }

/** Users, teams, API keys and the service configuration a migration installs survive between runs; everything else is emptied. */
const KEEP = new Set(['users', 'teams', 'api_keys', 'ticket_categories', 'sla_policies', 'working_calendars', 'calendar_days'])

async function createAccounts(ctx: TestApp): Promise<Account[]> {
  const teamA = await ctx.createTeam('model-team-a')
  const teamB = await ctx.createTeam('model-team-b')
  const plan: [RoleName, string, string | null][] = [
    ['admin', 'admin', null], ['manager', 'manager', null], ['salesA1', 'sales', teamA], ['salesA2', 'sales', teamA],
    ['salesB1', 'sales', teamB], ['marketing', 'marketing', null], ['service', 'service', null], ['integration', 'integration', null]
  ]
  const out: Account[] = []
  for (const [name, role, teamId] of plan) {
    let userId: string | null = null
    if (role !== 'integration') {
      const u = await ctx.gql(ctx.adminToken, 'mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } userErrors { message } } }',
        { i: { name: `model ${name}`, role, teamId } })
      userId = u.data.createUser.user.id
    }
    const k = await ctx.gql(ctx.adminToken, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret userErrors { message } } }',
      { i: { name: `model ${name}`, role, ...(userId ? { userId } : {}) } })
    out.push({ name, role, userId, teamId, apiKey: k.data.createApiKey.secret })
  }
  return out
}

async function emptyDatabase(ctx: TestApp): Promise<void> {
  const tables = await ctx.sql<{ t: string }>("select tablename as t from pg_tables where schemaname = 'public'")
  const names = tables.map((r) => r.t).filter((t) => !KEEP.has(t))
  await ctx.sql(`truncate table ${names.map((n) => `"${n}"`).join(', ')} restart identity`)
  // The scoring state, the loyalty settings and the base member level are rows a migration inserts.
  await ctx.sql('insert into scoring_state (id) values (1) on conflict do nothing')
  await ctx.sql('insert into loyalty_settings (id) values (1) on conflict do nothing')
  await ctx.sql(`insert into member_levels (id, key, name_zh, name_en, rank) values ('01900000-0000-7000-8000-00000000c001', 'member', '普通会员', 'Member', 0) on conflict do nothing`)
}

export async function setupRun(ctx: TestApp, accounts: Account[]): Promise<{ model: Model; real: World }> {
  await emptyDatabase(ctx)
  const real = new World(ctx)
  const actors: Actor[] = []
  for (const acc of accounts) {
    const token = await ctx.tokenFor(acc.apiKey)
    const caller: Caller = { name: acc.name, role: acc.role, userId: acc.userId, teamId: acc.teamId, token }
    real.callers.set(acc.name, caller)
    actors.push({ name: acc.name, role: acc.role, userId: acc.userId, teamId: acc.teamId })
  }
  const model = new Model(actors)
  await createModelLevels(real)
  await createModelTemplate(real, model)
  await createAutomationFixtures(real, model)
  return { model, real }
}

const entities: EntityName[] = ['customers', 'referrers', 'leads', 'opportunities', 'activities', 'tasks', 'referrals', 'orders', 'rewards', 'tickets']

/** Every caller lists every connection (alternating transports), and reads a few records directly. */
export async function fullCheck(m: Model, w: World): Promise<void> {
  let i = 0
  for (const a of m.actors) {
    for (const e of entities) {
      i++
      await walkList(w, m, w.caller(a.name), a, e, 4 + (i % 9), i % 3 === 0)
      const ids = m.ids(e)
      if (ids.length) await checkRead(w, m, w.caller(a.name), a, e, ids[i % ids.length], i % 2 === 0)
    }
  }
  await checkLedger(w, m)
  await checkTickets(w, m)
  // Every report for a caller of each reach (all, a team, a manager without one) and a referrer token if there is one.
  const readers = [...['admin', 'salesA1', 'manager'].map((n) => m.actors.find((a) => a.name === n)!), ...m.actors.filter((a) => a.role === 'referrer').slice(0, 1)]
  for (const a of readers) {
    for (const r of reportNames) await checkReport(w, m, w.caller(a.name), a, r, i++, i % 2 === 0, r === 'pipeline')
  }
}

export async function runModel(ctx: TestApp, opts: RunOptions): Promise<RunTotals> {
  const accounts = await createAccounts(ctx)
  const totals: RunTotals = opts.totals ?? { sequences: 0, commands: 0 }
  const start = fc.constantFrom('empty', 'campaign scene', 'service scene', 'automation scene')
  const property = fc.asyncProperty(start, fc.commands(allCommands, { maxCommands: opts.maxCommands, size: 'max' }), async (begin, cmds) => {
    const setup = await setupRun(ctx, accounts)
    totals.sequences++
    try {
      if (begin === 'campaign scene') {
        for (const cmd of await campaignScene()) if (cmd.check(setup.model)) await cmd.run(setup.model, setup.real)
      }
      if (begin === 'automation scene') {
        for (const cmd of await automationScene()) if (cmd.check(setup.model)) await cmd.run(setup.model, setup.real)
      }
      if (begin === 'service scene') {
        for (const cmd of await serviceScene()) if (cmd.check(setup.model)) await cmd.run(setup.model, setup.real)
      }
      await fc.asyncModelRun(() => setup, cmds)
      await fullCheck(setup.model, setup.real)
    } finally {
      totals.commands += setup.real.commands
      opts.progress?.(totals)
    }
  })
  try {
    await fc.assert(property, {
      numRuns: opts.runs, seed: opts.seed, verbose: 1,
      // --minutes: stop starting new sequences after this long (not a failure).
      ...(opts.minutes ? { interruptAfterTimeLimit: opts.minutes * 60_000, markInterruptAsFailure: false } : {})
    })
  } finally {
    await stopSmsProvider()
  }
  return totals
}
