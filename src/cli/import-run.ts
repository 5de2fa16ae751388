import { createReadStream } from 'node:fs'
import { extname } from 'node:path'
import type { Config } from '../config.js'
import type { Database } from '../db/client.js'
import { PiiCipher } from '../lib/pii.js'
import { systemActor } from '../modules/auth/actor.js'
import { BulkImportService, type ImportReport } from '../modules/bulk/import.service.js'
import { encodingOf, type ImportFormat } from '../modules/bulk/import-source.js'
import type { ImportEntity } from '../modules/bulk/import-types.js'

export type ImportFileOptions = {
  entity: ImportEntity
  file: string
  /** csv or ndjson; by default from the file's extension (.ndjson, .jsonl: NDJSON; else CSV). */
  format?: ImportFormat
  /** utf-8 (default) or gbk. */
  encoding?: string
  /** Write rows the duplicate policy would refuse (docs/customers.md). */
  allowDuplicate?: boolean
  /** The server's PII master key, so the API can read what is imported. */
  piiKey: Buffer
  /** During a key rotation (PII_KEYS_PREVIOUS): the keys PII_KEY replaced. */
  piiKeysPrevious?: Buffer[]
}

/**
 * `npm run import`: a file on disk through the same import service as
 * POST /api/v1/import/{entity}, as the system (audited as such), into an opened and
 * migrated database. Returns the import's report.
 */
export async function importFile(database: Database, config: Config, options: ImportFileOptions): Promise<ImportReport> {
  const format = options.format ?? (['.ndjson', '.jsonl'].includes(extname(options.file).toLowerCase()) ? 'ndjson' : 'csv')
  const service = new BulkImportService({ db: database.db, raw: database.raw, pii: new PiiCipher(options.piiKey, options.piiKeysPrevious), config })
  return service.importStream(systemActor, options.entity, createReadStream(options.file), { format, encoding: encodingOf(options.encoding), allowDuplicate: options.allowDuplicate })
}
