import type { Action } from '../../db/action.js'
import type { FieldError } from '../../errors.js'
import type { CellKind } from './import-cells.js'

/** The entities an import writes. */
export const importEntities = ['customers', 'orders', 'referrers', 'tickets'] as const
export type ImportEntity = (typeof importEntities)[number]

/** One problem with one row, as the report lists it. */
export type RowError = {
  row: number; field: string | null; code: string; message: string
  /** DUPLICATE: the live record with this phone or email (when the importer may see it), or the earlier row of the file. */
  existingId?: string; duplicateOfRow?: number
}

/** A validated row, ready for the staging table: its COPY line, and what the slow path needs. */
export type StagedRow = { row: number; externalId: string; line: string; input: Record<string, unknown> }

/** What one chunk's transaction did. `later`: rows left for the single-write path, after commit. */
export type ChunkOutcome = { created: number; updated: number; unchanged: number; rejected: RowError[]; later: StagedRow[] }

/** What the caller chose for the whole import (docs/import-export.md). */
export type ImportChoices = { allowDuplicate?: boolean }

/** Thrown inside a chunk when a concurrent writer took an externalId between the checks and the insert: the chunk is run again. */
export class ChunkRace extends Error {
  constructor() { super('a concurrent write took an externalId of this chunk') }
}

/**
 * One entity's import: the CSV columns it knows, how a record becomes a staged row (the
 * single write's schema and normalisation; a CrmError refuses the row), how a chunk is
 * written in one transaction, and the single write for the rare row left for it.
 */
export type EntityImport = {
  columns: Readonly<Record<string, CellKind>>
  /** CSV cells, converted, into the single write's input shape (orders fold amount and currency). */
  fromCells?(values: Record<string, unknown>): Record<string, unknown>
  stage(input: Record<string, unknown>, row: number): StagedRow
  apply(action: Action, rows: StagedRow[]): Promise<ChunkOutcome>
  one?(row: StagedRow): Promise<'created' | 'updated'>
}

export const rowErrors = (row: number, errors: readonly FieldError[]): RowError[] =>
  errors.map((e) => ({ row, field: e.field, code: e.code, message: e.message, ...(e.existingId ? { existingId: e.existingId } : {}) }))
