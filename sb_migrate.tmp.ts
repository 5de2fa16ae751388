import { openDatabase } from './src/db/client.js'
import { applyMigrations } from './src/db/migrate.js'
const db = await openDatabase({ url: process.argv[2], dataDir: '', poolSize: 1 })
await applyMigrations(db)
await db.close()
