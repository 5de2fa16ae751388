import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.js'
import { applyMigrations, migrationsFolder } from '../../src/db/migrate.js'

/** A short hash of the migrations: a template made from other migrations is never used. */
export function migrationsHash(): string {
  const hash = createHash('sha256')
  for (const f of readdirSync(migrationsFolder, { recursive: true }).map(String).sort()) {
    const path = join(migrationsFolder, f)
    if (f.endsWith('.sql') || f.endsWith('.json')) hash.update(f).update(readFileSync(path))
  }
  return hash.digest('hex').slice(0, 16)
}

let loaded: Blob | undefined

/**
 * A migrated, empty PGlite data directory, dumped once per set of migrations and shared by
 * every test process: starting from it skips initdb and the migrations (seconds per file).
 * The app still runs its migrator on it, which finds nothing to do.
 */
export async function pgliteTemplate(): Promise<Blob> {
  // Read once per process: a Blob is immutable, and every PGlite of the process starts from the same 46 MB.
  if (loaded) return loaded
  const file = join(tmpdir(), `crm-pglite-template-${migrationsHash()}.tar`)
  if (existsSync(file)) return (loaded = new Blob([readFileSync(file)]))
  const database = await openDatabase({ dataDir: 'memory://' })
  await applyMigrations(database)
  const dump = await database.pglite!.dumpDataDir('none')
  await database.close()
  const bytes = Buffer.from(await dump.arrayBuffer())
  // Written aside then renamed: a parallel test process never reads half a file.
  const partial = `${file}.${process.pid}.partial`
  writeFileSync(partial, bytes)
  renameSync(partial, file)
  return (loaded = new Blob([bytes]))
}
