import { eq, sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import { runAction, type ActionContext } from '../../db/action.js'
import { scoringRuns, scoringState } from '../../db/schema/scoring.js'
import type { Config } from '../../config.js'
import { DAY_MS } from '../../rules/rfm.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import type { ServiceDeps } from '../service-deps.js'
import { EDGE_LOCK, moveEdge, rebuildAggregates } from './scoring.aggregates.js'
import { scoringConfig, type ScoringConfig } from './scoring.config.js'
import { distribution, placeReferrers } from './scoring.sql.js'
import { scoreAll, type Pass } from './scoring.score.js'
import { errorSummary } from '../../lib/error-summary.js'

export type RecomputeMode = 'incremental' | 'rebuild'
export type ScoringRun = {
  id: string
  mode: RecomputeMode
  /** failed: the run's transaction rolled back (nothing it did stays); `error` says why, the counts are 0. */
  status: 'succeeded' | 'failed'
  error: string | null
  asOf: Date
  startedAt: Date
  finishedAt: Date
  windowDays: number | null
  scored: number
  unscored: number
  changed: { rfm: number; tierOrStage: number; referrerTiers: number }
  events: number
  segments: Record<string, number>
  tiers: Record<string, number>
  stages: Record<string, number>
}

const parsed = new Map<string | undefined, ScoringConfig>()
/** The deployment's scoring configuration (SCORING_CONFIG), parsed once per process. */
export function scoringConfigOf(config: Config): ScoringConfig {
  let found = parsed.get(config.SCORING_CONFIG)
  if (!found) parsed.set(config.SCORING_CONFIG, (found = scoringConfig(config.SCORING_CONFIG)))
  return found
}

/** What placement depends on besides the data (segments, tier and stage thresholds): a run under another needs a full pass. */
const placementKey = (config: ScoringConfig) => JSON.stringify([config.segments, config.customerTier, config.lifecycle])

/** The run's work_mem: a million customers' aggregates hash in about 300 MB (hash_mem_multiplier 2 doubles this). */
export const SCORING_WORK_MEM = '256MB'

/** What a failed run reports for its counts: nothing was done. */
const EMPTY = { scored: 0, unscored: 0, changed: { rfm: 0, tierOrStage: 0, referrerTiers: 0 }, events: 0, segments: {}, tiers: {}, stages: {} }

const SYSTEM: ActionContext = { actorType: 'system', actorId: null, actorRole: null, apiKeyId: null, requestId: null }

/**
 * recomputeRfm (docs/scoring.md): rescoring everyone as of now from the per-customer
 * aggregates, or, for repair, rebuilding the aggregates from every order first. One
 * transaction: the scores, tiers and stages, the customer.updated events of those that
 * changed, the run's record, its audit entry and one rfm.recomputed event.
 */
export class ScoringService {
  readonly config: ScoringConfig
  constructor(private readonly deps: ServiceDeps) {
    // A wrong SCORING_CONFIG stops start-up rather than the first nightly run.
    this.config = scoringConfigOf(deps.config)
  }

  /** By a person or a key: admins, managers, marketing and integrations (write on scoring). */
  recompute(actor: Actor, mode: RecomputeMode, now: Date = new Date()): Promise<ScoringRun> {
    authorize(actor, 'scoring', 'write')
    return this.run(actionContext(actor), mode, now)
  }

  /** The nightly job's pass. */
  nightly(now: Date): Promise<ScoringRun> {
    return this.run(SYSTEM, 'incremental', now)
  }

  /** The latest runs, newest first. */
  async runs(actor: Actor, limit = 20): Promise<ScoringRun[]> {
    authorize(actor, 'scoring', 'read')
    const found = await this.deps.db.select().from(scoringRuns).orderBy(sql`${scoringRuns.asOf} desc, ${scoringRuns.id} desc`).limit(limit)
    return found.map((r) => ({
      ...EMPTY, windowDays: this.config.rfmWindow.days, ...(r.summary as Partial<ScoringRun>),
      id: r.id, mode: r.kind, status: r.status, error: r.error, asOf: r.asOf, startedAt: r.startedAt, finishedAt: r.finishedAt
    }))
  }

  /**
   * A run, and when it fails (its transaction rolled back), a record of the failure in
   * scoring_runs, so scoringRuns shows the nightly job stopped and why. The error goes on to
   * the caller (the job's log line and metrics, or the request's 500).
   */
  private async run(ctx: ActionContext, mode: RecomputeMode, asOf: Date): Promise<ScoringRun> {
    const startedAt = new Date()
    try {
      return await this.pass(ctx, mode, asOf, startedAt)
    } catch (err) {
      // Unrecordable too when the database is gone: the caller still gets the first error.
      await this.deps.db.insert(scoringRuns).values({
        id: uuidv7(), kind: mode, asOf, startedAt, finishedAt: new Date(), summary: { windowDays: this.config.rfmWindow.days }, status: 'failed', error: errorSummary(err)
      }).catch(() => undefined)
      throw err
    }
  }

  private pass(ctx: ActionContext, mode: RecomputeMode, asOf: Date, startedAt: Date): Promise<ScoringRun> {
    const days = this.config.rfmWindow.days
    return runAction(this.deps.db, ctx, async (action) => {
      const tx = action.tx
      // JIT compiling these wide statements costs seconds and saves nothing: 4.3 s → 0.35 s at 20k customers.
      await tx.execute(sql`set local jit = off`)
      // Recounting and scoring a million customers hash-aggregates that many groups: in memory, not in temporary files.
      await tx.execute(sql.raw(`set local work_mem = '${SCORING_WORK_MEM}'`))
      // Order writes near the window's edge share this lock: they wait, or this waits for them.
      await tx.execute(sql`select pg_advisory_xact_lock(${EDGE_LOCK})`)
      const [state] = await tx.select().from(scoringState).where(eq(scoringState.id, 1))
      const windowFrom = days === null ? null : new Date(asOf.getTime() - days * DAY_MS)
      const edge = state.windowFrom.getTime() === -Infinity ? null : state.windowFrom
      let edgeMoves = false
      const rebuild = mode === 'rebuild' || state.windowDays !== days
      const configKey = placementKey(this.config)
      // A nightly pass answers for the rows that can have changed since the last run: it
      // needs that run's cuts, the same placement rules, and time to have gone forward.
      const nightly = !rebuild && state.cuts !== null && state.lastAsOf !== null && state.configKey === configKey && asOf.getTime() >= state.lastAsOf.getTime()
      if (!nightly) {
        // A full pass counts its histograms in one scan and writes them at the end: no order
        // may change a row in between (order writes wait for this run, a few seconds).
        await tx.execute(sql`lock table customer_scores in exclusive mode`)
      }
      if (rebuild) {
        await rebuildAggregates(tx, windowFrom, days)
      } else if (windowFrom && edge?.getTime() !== windowFrom.getTime()) {
        // The orders it passes over reach old_* in the scoring pass's own row writes.
        await moveEdge(tx, edge, windowFrom)
        edgeMoves = true
      }
      const pass: Pass = nightly ? { kind: 'nightly', lastAsOf: state.lastAsOf!, lastCuts: state.cuts! } : { kind: 'full', likelyBuckets: state.moneyCutBuckets ?? [] }
      const counts = await scoreAll(tx, asOf, this.config, edgeMoves, pass)
      const referrerTiers = await placeReferrers(tx, asOf, this.config)
      const dist = await distribution(tx, counts.scored)
      const id = uuidv7()
      const finishedAt = new Date()
      const run: ScoringRun = {
        id, mode, status: 'succeeded', error: null, asOf, startedAt, finishedAt, windowDays: days, scored: counts.scored, unscored: dist.unscored,
        changed: { rfm: counts.rfmChanged, tierOrStage: counts.tierOrStageChanged, referrerTiers }, events: counts.events,
        segments: dist.segments, tiers: dist.tiers, stages: dist.stages
      }
      const { id: _i, mode: _m, status: _st, error: _e, asOf: _a, startedAt: _s, finishedAt: _f, ...summary } = run
      await tx.insert(scoringRuns).values({ id, kind: mode, asOf, startedAt, finishedAt, summary })
      await tx.update(scoringState).set({ lastRunId: id, lastAsOf: asOf, moneyCutBuckets: counts.moneyCutBuckets, cuts: counts.cuts, configKey }).where(eq(scoringState.id, 1))
      action.audit({ action: 'rfm.recomputed', entityType: 'scoring_run', entityId: id, changes: { mode, asOf, ...summary } })
      action.emit({ type: 'rfm.recomputed', entityType: 'scoring_run', entityId: id, data: { run: { id, mode, asOf, ...summary } } })
      return run
    })
  }
}
