import fp from 'fastify-plugin'
import { applyMigrations } from '../db/migrate.js'
import { openDatabase, type Database, type Db } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    database: Database
    db: Db
  }
}

export type DbPluginOptions = {
  url?: string
  dataDir: string
  poolSize: number
  connectTimeoutMs?: number
  onQuery?: (sql: string) => void
  loadDataDir?: Blob
}

/** Opens the database (PGlite or PostgreSQL), applies migrations, closes it on shutdown. */
export default fp<DbPluginOptions>(async (app, opts) => {
  const database = await openDatabase(opts)
  app.addHook('onClose', async () => { await database.close() })
  await applyMigrations(database)
  app.decorate('database', database)
  app.decorate('db', database.db)
  app.log.info({ database: database.kind }, 'database ready')
}, { name: 'db' })
