import type { EntityImport, RowError } from '../bulk/import-types.js'
import type { ServiceDeps } from '../service-deps.js'
import { ERASED_CODE, erasedExternalIds, erasedMessage, type TombstoneEntity } from './erasure-tombstones.js'

/**
 * An import that refuses rows whose externalId an erasure retired (row error ERASED, field
 * externalId), as the single upsert refuses them; the other rows of the chunk go on.
 */
export function refusingErased(deps: ServiceDeps, entity: TombstoneEntity, inner: EntityImport): EntityImport {
  return {
    ...inner,
    async apply(action, rows) {
      const erased = await erasedExternalIds(action.tx, deps.pii, entity, rows.map((r) => r.externalId))
      if (erased.size === 0) return inner.apply(action, rows)
      const refused: RowError[] = rows.filter((r) => erased.has(r.externalId))
        .map((r) => ({ row: r.row, field: 'externalId', code: ERASED_CODE, message: erasedMessage }))
      const keep = rows.filter((r) => !erased.has(r.externalId))
      const out = keep.length > 0 ? await inner.apply(action, keep) : { created: 0, updated: 0, unchanged: 0, rejected: [], later: [] }
      return { ...out, rejected: [...refused, ...out.rejected] }
    }
  }
}
