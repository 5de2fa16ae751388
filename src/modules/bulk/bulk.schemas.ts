import { Type } from '@sinclair/typebox'
import { StringEnum } from '../common/schemas.js'
import { importEntities } from './import-types.js'

export const ImportParams = Type.Object({ entity: StringEnum(importEntities) }, { additionalProperties: false })

export const ImportQuery = Type.Object({
  format: Type.Optional(StringEnum(['csv', 'ndjson'] as const, 'Overrides the Content-Type')),
  encoding: Type.Optional(Type.String({ maxLength: 20, description: 'utf-8 (default) or gbk; overrides the charset of the Content-Type' })),
  allowDuplicate: Type.Optional(Type.Boolean({ description: 'Write rows whose phone or email a live record (or an earlier row) already has; else they are refused as DUPLICATE' }))
}, { additionalProperties: false })

const RowErrorView = Type.Object({
  row: Type.Integer({ description: 'The data record, from 1 (a CSV header is not counted)' }),
  field: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  message: Type.String(),
  existingId: Type.Optional(Type.String({ description: 'DUPLICATE: the live record that already has this phone or email (only if you may see it)' })),
  duplicateOfRow: Type.Optional(Type.Integer({ description: 'DUPLICATE: the earlier row of this import with the same phone or email' }))
})

export const ImportReportView = Type.Object({
  entity: Type.String(),
  format: Type.String(),
  encoding: Type.String(),
  rows: Type.Integer({ description: 'Data records read' }),
  accepted: Type.Integer({ description: 'created + updated + unchanged' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer({ description: 'Matched an existing record that already had these values: nothing written' }),
  rejected: Type.Integer({ description: 'Rows refused; nothing of them was written' }),
  duplicate: Type.Integer({ description: 'Of the rejected rows, those refused as DUPLICATE (unless allowDuplicate)' }),
  errors: Type.Array(RowErrorView),
  errorsOmitted: Type.Integer({ description: 'Errors past the listed maximum (IMPORT_MAX_ERRORS)' }),
  complete: Type.Boolean({ description: 'false when the body could not be read to its end (see the last error): later rows were not read' })
})
