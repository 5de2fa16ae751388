import type { Readable } from 'node:stream'
import { CsvError } from 'csv-parse'
import { CrmError } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import type { ServiceDeps } from '../service-deps.js'
import { cellValues, headerFields } from './import-cells.js'
import { ChunkWriter, errorsOf } from './import-chunks.js'
import { customersImport } from './import-customers.js'
import { ordersImport } from './import-orders.js'
import { records } from './import-records.js'
import { referrersImport } from './import-referrers.js'
import { ticketsImport } from './import-tickets.js'
import { refusingErased } from '../privacy/erasure-import.js'
import { ReportBuilder, type ImportReport } from './import-report.js'
import { BodyTooLarge, decodedText, type ImportEncoding, type ImportFormat } from './import-source.js'
import type { EntityImport, ImportChoices, ImportEntity, StagedRow } from './import-types.js'

export type { ImportReport }
export type ImportOptions = { format: ImportFormat; encoding: ImportEncoding } & ImportChoices

const importers: Record<ImportEntity, (deps: ServiceDeps, actor: Actor, choices: ImportChoices) => EntityImport> = {
  // An erased person's externalId is refused (docs/privacy.md, Erasure).
  customers: (deps, actor, choices) => refusingErased(deps, 'customer', customersImport(deps, actor, choices)),
  referrers: (deps, actor, choices) => refusingErased(deps, 'referrer', referrersImport(deps, actor, choices)),
  orders: ordersImport, tickets: ticketsImport
}

/**
 * Bulk import (docs/import-export.md): a CSV or NDJSON body, read as it arrives, each row
 * checked by the single write's rules, the good ones upserted by externalId a chunk per
 * transaction. While one chunk is written the next is parsed and sealed.
 */
export class BulkImportService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Imports `body`; FORBIDDEN before reading anything if the actor may not write the entity. */
  async importStream(actor: Actor, entity: ImportEntity, body: Readable, options: ImportOptions): Promise<ImportReport> {
    const importer = importers[entity](this.deps, actor, { allowDuplicate: options.allowDuplicate })
    const { IMPORT_CHUNK_ROWS: chunkRows, IMPORT_MAX_ERRORS: maxErrors, IMPORT_BODY_LIMIT_BYTES: limit } = this.deps.config
    const report = new ReportBuilder(entity, options.format, options.encoding, maxErrors)
    const writer = new ChunkWriter(this.deps.db, actionContext(actor), importer, report)
    const source = records(decodedText(body, options.encoding, limit), options.format, (header) => headerFields(importer.columns, header))

    let chunk: StagedRow[] = []
    let keys = new Set<string>()
    let writing: Promise<void> = Promise.resolve()
    const flush = async () => {
      if (chunk.length === 0) return
      const rows = chunk
      chunk = []
      keys = new Set()
      await writing
      writing = writer.write(rows)
      // Awaited before the next chunk or at the end; until then a failure must not count as unhandled.
      writing.catch(() => {})
    }
    try {
      for await (const record of source) {
        report.seen(record.row)
        if (record.kind === 'bad') { report.reject([{ row: record.row, field: null, code: record.code, message: record.message }]); continue }
        let staged: StagedRow
        try {
          const input = record.kind === 'json' ? record.value : (importer.fromCells ?? ((v) => v))(cellValues(importer.columns, record.cells))
          staged = importer.stage(input, record.row)
        } catch (err) {
          if (!(err instanceof CrmError)) throw err
          report.reject(errorsOf(record.row, err))
          continue
        }
        // The same externalId twice in a chunk: the first is written first, so the second updates it.
        if (keys.has(staged.externalId)) await flush()
        chunk.push(staged)
        keys.add(staged.externalId)
        if (chunk.length >= chunkRows) await flush()
      }
    } catch (err) {
      const stop = stopped(err, report.rows + 1)
      if (!stop) {
        await writing.catch(() => {})
        throw err
      }
      report.stopped(stop)
    }
    await flush()
    await writing
    return report.done()
  }
}

/** A body that cannot be read on (framing, size, encoding): the rows before it still count. */
function stopped(err: unknown, row: number) {
  if (err instanceof BodyTooLarge) return { row, field: null, code: 'PAYLOAD_TOO_LARGE', message: err.message }
  if (err instanceof CsvError) return { row, field: null, code: 'MALFORMED_CSV', message: err.message }
  return null
}
