import { runAction, type ActionContext } from '../../db/action.js'
import type { Db } from '../../db/client.js'
import { CrmError } from '../../errors.js'
import { toCrmError } from '../../http/problem.js'
import type { ReportBuilder } from './import-report.js'
import { ChunkRace, rowErrors, type ChunkOutcome, type EntityImport, type RowError, type StagedRow } from './import-types.js'

/**
 * Writes chunks of staged rows, each in one transaction: all of a chunk's rows, their audit
 * entries and events commit together. Rows the checks refuse never reach the tables. If a
 * chunk still fails on a row's data (a value the database refuses), it is halved and each
 * half tried again, down to the one row at fault: that row is reported, the others written.
 * A failure that is not about the data (the database gone) ends the import.
 */
export class ChunkWriter {
  constructor(
    private readonly db: Db,
    private readonly ctx: ActionContext,
    private readonly entity: EntityImport,
    private readonly report: ReportBuilder
  ) {}

  async write(rows: StagedRow[]): Promise<void> {
    const outcome = await this.run(rows, false)
    this.report.count(outcome)
    this.report.reject(outcome.rejected)
    for (const row of outcome.later) await this.single(row)
  }

  private async run(rows: StagedRow[], retried: boolean): Promise<ChunkOutcome> {
    try {
      return await runAction(this.db, this.ctx, (action) => this.entity.apply(action, rows))
    } catch (err) {
      // A concurrent writer took an externalId after the checks: once more sees it as an update.
      if (err instanceof ChunkRace && !retried) return this.run(rows, true)
      const crm = err instanceof ChunkRace
        ? new CrmError('CRM_ERR_CONFLICT', 'A concurrent write of the same externalId; import this row again')
        : toCrmError(err)
      if (crm.status >= 500) throw err
      if (rows.length === 1) return { created: 0, updated: 0, unchanged: 0, rejected: errorsOf(rows[0].row, crm), later: [] }
      const half = rows.length >> 1
      const first = await this.run(rows.slice(0, half), false)
      const second = await this.run(rows.slice(half), false)
      return {
        created: first.created + second.created, updated: first.updated + second.updated, unchanged: first.unchanged + second.unchanged,
        rejected: [...first.rejected, ...second.rejected], later: [...first.later, ...second.later]
      }
    }
  }

  /** A row the set-based path leaves to the single write (a merged customer's externalId), in its own action. */
  private async single(row: StagedRow): Promise<void> {
    try {
      const result = await this.entity.one!(row)
      this.report.count({ created: result === 'created' ? 1 : 0, updated: result === 'updated' ? 1 : 0, unchanged: 0 })
    } catch (err) {
      const crm = toCrmError(err)
      if (crm.status >= 500) throw err
      this.report.reject(errorsOf(row.row, crm))
    }
  }
}

export function errorsOf(row: number, err: CrmError): RowError[] {
  return err.fieldErrors.length > 0 ? rowErrors(row, err.fieldErrors) : [{ row, field: null, code: err.code, message: err.message }]
}
