import { Type } from '@sinclair/typebox'
import { StringEnum } from '../common/schemas.js'
import { importEntities } from './import-types.js'

export const ImportParams = Type.Object({ entity: StringEnum(importEntities) }, { additionalProperties: false })

export const ImportQuery = Type.Object({
  format: Type.Optional(StringEnum(['csv', 'ndjson'] as const, 'Overrides the Content-Type')),
  encoding: Type.Optional(Type.String({ maxLength: 20, description: 'utf-8 (default) or gbk; overrides the charset of the Content-Type' }))
}, { additionalProperties: false })

const RowErrorView = Type.Object({
  row: Type.Integer({ description: 'The data record, from 1 (a CSV header is not counted)' }),
  field: Type.Union([Type.String(), Type.Null()]),
  code: Type.String(),
  message: Type.String()
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
  errors: Type.Array(RowErrorView),
  errorsOmitted: Type.Integer({ description: 'Errors past the listed maximum (IMPORT_MAX_ERRORS)' }),
  complete: Type.Boolean({ description: 'false when the body could not be read to its end (see the last error): later rows were not read' })
})
