import type { ImportEncoding, ImportFormat } from './import-source.js'
import type { ImportEntity, RowError } from './import-types.js'

/** What an import answers (docs/import-export.md). `rows` counts data records: a CSV header is not one. */
export type ImportReport = {
  entity: ImportEntity
  format: ImportFormat
  encoding: ImportEncoding
  rows: number
  accepted: number
  created: number
  updated: number
  unchanged: number
  rejected: number
  /** Of the rejected rows, those refused as DUPLICATE (docs/customers.md). */
  duplicate: number
  /** The rows' problems, by row number; at most the configured number, the rest counted in errorsOmitted. */
  errors: RowError[]
  errorsOmitted: number
  /** false when the body could not be read to its end (malformed CSV, over the size limit): rows after that were not read. */
  complete: boolean
}

/** Collects a report; errors past `maxErrors` are counted, not kept. */
export class ReportBuilder {
  private readonly report: ImportReport
  private readonly rejectedRows = new Set<number>()

  constructor(entity: ImportEntity, format: ImportFormat, encoding: ImportEncoding, private readonly maxErrors: number) {
    this.report = { entity, format, encoding, rows: 0, accepted: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, duplicate: 0, errors: [], errorsOmitted: 0, complete: true }
  }

  get rows(): number { return this.report.rows }

  seen(row: number): void { if (row > this.report.rows) this.report.rows = row }

  reject(errors: readonly RowError[]): void {
    for (const e of errors) {
      if (!this.rejectedRows.has(e.row)) {
        this.rejectedRows.add(e.row)
        this.report.rejected++
        if (e.code === 'DUPLICATE') this.report.duplicate++
      }
      if (this.report.errors.length < this.maxErrors) this.report.errors.push(e)
      else this.report.errorsOmitted++
    }
  }

  count(outcome: { created: number; updated: number; unchanged: number }): void {
    this.report.created += outcome.created
    this.report.updated += outcome.updated
    this.report.unchanged += outcome.unchanged
  }

  stopped(error: RowError): void {
    this.report.complete = false
    this.seen(error.row)
    this.reject([error])
  }

  done(): ImportReport {
    const r = this.report
    r.accepted = r.created + r.updated + r.unchanged
    r.errors.sort((a, b) => a.row - b.row)
    return r
  }
}
