import { getTableColumns } from 'drizzle-orm'
import { customers } from '../../db/schema/customers.js'

/** Columns a customer view never shows: ciphertext, blind indexes, masks, internals. */
export type Hidden = 'phoneEnc' | 'phoneIdx' | 'phoneMasked' | 'emailEnc' | 'emailIdx' | 'emailMasked' | 'idNumberEnc' | 'idNumberIdx' | 'idNumberMasked' | 'deletedAt' | 'mergedIntoId' | 'erasedAt'
const hidden: ReadonlySet<string> = new Set<Hidden>(['phoneEnc', 'phoneIdx', 'phoneMasked', 'emailEnc', 'emailIdx', 'emailMasked', 'idNumberEnc', 'idNumberIdx', 'idNumberMasked', 'deletedAt', 'mergedIntoId', 'erasedAt'])

/** The view's own columns, copied as they are (toView copies by this list: object rest cost ~4× as much per row). */
export const viewKeys = Object.keys(getTableColumns(customers)).filter((k) => !hidden.has(k)) as Exclude<keyof typeof customers.$inferSelect, Hidden>[]
