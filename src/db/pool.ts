import pg from 'pg'

export type PoolOptions = {
  url: string
  max: number
  /** Longest wait for a connection, new or from the pool; then the caller gets an error (0: wait for ever). */
  connectTimeoutMs?: number
  applicationName?: string
}

/**
 * A pg pool that survives the server ending its connections (failover, restart,
 * pg_terminate_backend, a dropped database): the statements under way fail, and the pool
 * replaces the dead connections on the next use. It guards two gaps in pg-pool:
 *
 * - pg-pool listens for a client's 'error' only while the client sits idle in the pool. A
 *   checked-out client (a transaction between two statements) whose connection dies emitted
 *   'error' with no listener, an uncaught exception that took the process down. Every client
 *   now has a listener for its whole life.
 * - Drizzle's transaction() checks a client out, then sends `begin` outside its try/finally:
 *   when `begin` fails on a dead connection the client is never released, and each
 *   termination leaked one slot until the pool was empty and every transaction hung. A
 *   checked-out client whose connection dies is therefore released (and destroyed) at once;
 *   its later release() by the borrower is a no-op.
 */
export function openPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 0,
    // A primary that vanishes without closing its sockets (failover, network cut) is noticed
    // within about a minute, not after the kernel's two hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(options.applicationName ? { application_name: options.applicationName } : {})
  })
  pool.on('connect', (client) => {
    const lease = guardRelease(client)
    client.on('error', (err) => { if (lease.out) client.release(err) })
  })
  // An idle client's failure: pg-pool has already dropped it; nothing else to do.
  pool.on('error', () => {})
  return pool
}

/**
 * Makes `client.release` idempotent across each checkout (pg-pool installs a fresh release
 * function per checkout, through this setter) and tells whether the client is checked out.
 */
function guardRelease(client: pg.PoolClient): { readonly out: boolean } {
  let release: ((err?: Error | boolean) => void) | null = null
  const lease = { out: false }
  Object.defineProperty(client, 'release', {
    configurable: true,
    get: () => (err?: Error | boolean) => {
      if (!lease.out || !release) return
      lease.out = false
      release(err)
    },
    set: (fn: (err?: Error | boolean) => void) => {
      release = fn
      lease.out = true
    }
  })
  return lease
}
