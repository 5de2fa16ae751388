import { parseArgs } from 'node:util'
import { exitWith, UsageError, withServerDatabase } from './cli-support.js'
import { importEntities, type ImportEntity } from '../modules/bulk/import-types.js'
import { importFile } from './import-run.js'

/**
 * `npm run import -- --entity customers --file path.csv [--format csv|ndjson] [--encoding gbk]`:
 * a file on disk into the database the server would use (DATABASE_URL, else PGlite in
 * DATA_DIR), with the server's PII key. Prints the report as JSON (docs/import-export.md).
 */

const USAGE = `usage: npm run import -- --entity customers|orders|referrers --file PATH [--format csv|ndjson] [--encoding utf-8|gbk] [--allow-duplicate]
  --entity E     what the file holds
  --file PATH    the CSV or NDJSON file
  --format F     csv or ndjson (default: from the extension; .ndjson and .jsonl are NDJSON, anything else CSV)
  --encoding C   utf-8 (default, with or without BOM) or gbk
  --allow-duplicate  write rows whose phone or email a live record already has (else refused as DUPLICATE)
Uses the server's environment: DATABASE_URL (else PGlite in DATA_DIR), PII_KEY (else DATA_DIR/secrets.json),
IMPORT_CHUNK_ROWS, IMPORT_MAX_ERRORS. Exit status 0 when every row was accepted, 2 when some were refused.`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { entity: { type: 'string' }, file: { type: 'string' }, format: { type: 'string' }, encoding: { type: 'string' }, 'allow-duplicate': { type: 'boolean' }, help: { type: 'boolean' } }
  })
  if (values.help) { process.stdout.write(`${USAGE}\n`); return }
  if (!values.entity || !(importEntities as readonly string[]).includes(values.entity)) throw new UsageError(`--entity must be one of ${importEntities.join(', ')}`)
  const file = values.file
  if (!file) throw new UsageError('--file is required')
  if (values.format !== undefined && values.format !== 'csv' && values.format !== 'ndjson') throw new UsageError('--format must be csv or ndjson')

  const report = await withServerDatabase((database, config, secrets) => importFile(database, config, {
    entity: values.entity as ImportEntity, file, format: values.format as 'csv' | 'ndjson' | undefined,
    encoding: values.encoding, allowDuplicate: values['allow-duplicate'], piiKey: secrets.piiKey, piiKeysPrevious: secrets.piiKeysPrevious
  }))
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  if (report.rejected > 0) process.exitCode = 2
}

main().catch((err) => exitWith(err, USAGE, 'Import'))
