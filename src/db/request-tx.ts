import { AsyncLocalStorage } from 'node:async_hooks'
import type { Db, Executor, Tx } from './client.js'

/**
 * One request's writes and its stored answer in ONE transaction (docs/idempotency.md): a
 * request that carries an Idempotency-Key runs inside a RequestTx. Its first business
 * action opens the transaction and each action runs as a savepoint of it; every statement
 * the request sends through the root handle (Drizzle, `raw`, prepared statements) goes to
 * that transaction while it is open, so the answer is rendered from what the request wrote
 * (and PGlite, one connection, never waits on itself). The transaction ends when the
 * answer is known: it commits with the answer stored (`commit`), or rolls back (`rollback`).
 * A crash before the commit leaves nothing; after it, the answer.
 *
 * AsyncLocalStorage carries the RequestTx. It is switched on only while such a request is
 * in progress (its propagation costs every promise in the process), so a process serving
 * no keyed request runs exactly as without this module: one integer test per statement.
 */
export class RequestTx {
  /** The open transaction this request's statements go to; null before the first action and once it ends. */
  current: Tx | null = null
  /** The root handle the transaction was opened on (statements of another handle are not rerouted). */
  root: Db | null = null
  /** Whether an action completed (its savepoint released): the transaction holds writes. */
  wrote = false
  private opened: Promise<Tx> | null = null
  private decide: ((end: End) => void) | null = null
  private ended: Promise<unknown> | null = null
  private actions: Promise<unknown> = Promise.resolve()
  /** The answer is known: later actions run on their own (as without a key). */
  ending = false
  private closed = false

  /** Whether an action opened the transaction. */
  get hasTransaction(): boolean { return this.opened !== null }

  /** Runs `fn` as a savepoint of the request transaction (opened on first use), one action at a time. */
  action<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const run = this.actions.then(async () => {
      const result = await (await this.begin(db)).transaction(fn)
      this.wrote = true
      return result
    })
    this.actions = run.catch(() => undefined)
    return run
  }

  /** Runs `step` in the transaction as its last statement(s), then commits; throws if either fails (then nothing is kept). */
  async commit<T>(step: (tx: Tx) => Promise<T>): Promise<T> {
    let result: T | undefined
    await this.end({ commit: async (tx) => { result = await step(tx) } })
    return result as T
  }

  /** Rolls the request transaction back (if it was opened). */
  async rollback(): Promise<void> {
    await this.end({ commit: null }).catch(() => undefined)
  }

  /** Ends the scope of a request whose transaction was never opened (nothing to commit). */
  close(): void {
    if (this.ending) return
    this.ending = this.closed = true
    left()
  }

  private begin(db: Db): Promise<Tx> {
    if (this.closed) throw new Error('the request has answered: no action may join its transaction')
    this.opened ??= new Promise<Tx>((resolve, reject) => {
      const end = new Promise<End>((r) => { this.decide = r })
      this.root = db
      // Opened on the root handle outside any routing (current is still null).
      this.ended = db.transaction(async (tx) => {
        this.current = tx
        resolve(tx)
        const { commit } = await end
        // From here on the request's own statements go to the pool: only `commit` uses tx.
        this.current = null
        if (!commit) throw ROLLBACK
        await commit(tx)
      })
      this.ended.catch(reject)
    })
    return this.opened
  }

  private async end(end: End): Promise<void> {
    if (this.ending) return
    this.ending = true
    try {
      // An action still running (the answer went out before it ended) finishes first.
      await this.actions
      this.closed = true
      if (!this.opened) return
      await this.opened.catch(() => undefined)
      this.decide?.(end)
      await this.ended!.catch((err: unknown) => { if (err !== ROLLBACK) throw err })
    } finally {
      this.current = null
      left()
    }
  }
}

type End = { commit: ((tx: Tx) => Promise<void>) | null }

const ROLLBACK = Symbol('request rollback')
const storage = new AsyncLocalStorage<RequestTx>()
// Request scopes not yet ended: while 0, storage is off and nothing is looked up.
let active = 0

function left(): void {
  if (--active === 0) storage.disable()
}

/** Runs `fn` (the rest of the request) inside `scope`; the scope must end (commit, rollback or close). */
export function runInRequestTx<T>(scope: RequestTx, fn: () => T): T {
  active++
  return storage.run(scope, fn)
}

/** The RequestTx the caller runs in, if it has not ended. */
export function requestTx(): RequestTx | null {
  if (active === 0) return null
  return storage.getStore() ?? null
}

/** The open request transaction to use instead of `db` (the root handle), else null. */
function routeOf(db: unknown): Tx | null {
  if (active === 0) return null
  const scope = storage.getStore()
  return scope && scope.root === db ? scope.current : null
}

/** Where a statement for `ex` runs: the request transaction when `ex` is its root handle, else `ex`. */
export function executorFor(ex: Executor): Executor {
  return routeOf(ex) ?? ex
}

type Session = { prepareQuery: (...args: unknown[]) => unknown; transaction: (...args: unknown[]) => unknown }

/**
 * Makes the root handle route: every statement it prepares (queries, inserts, `execute`,
 * relational queries, prepared statements) and every `transaction` (a savepoint then) goes
 * to the caller's open request transaction, if any. Returns the driver handle of that
 * transaction for `raw` (a pool client on PostgreSQL, PGlite's Transaction).
 */
export function routeRequests(db: Db): () => unknown {
  const session = db._.session as unknown as Session
  const prepareQuery = session.prepareQuery
  const transaction = session.transaction
  session.prepareQuery = function (this: Session, ...args: unknown[]) {
    const tx = routeOf(db)
    return tx ? (tx._.session as unknown as Session).prepareQuery(...args) : prepareQuery.apply(this, args)
  }
  session.transaction = function (this: Session, ...args: unknown[]) {
    const tx = routeOf(db)
    return tx ? tx.transaction(args[0] as (tx: Tx) => Promise<unknown>) : transaction.apply(this, args)
  }
  return () => {
    const tx = routeOf(db)
    // Drizzle keeps the transaction's driver handle on its session (as src/db/copy.ts reads it).
    return tx ? (tx._.session as unknown as { client: unknown }).client : null
  }
}

/** How many request scopes have not ended (tests: every keyed request must end its scope). */
export function requestScopesInProgress(): number {
  return active
}
