import { integer, timestamp, uuid, text } from 'drizzle-orm/pg-core'
import { uuidv7 } from 'uuidv7'

/** UUIDv7 primary key: time-ordered, so inserts stay at the right edge of the index. */
export const id = () => uuid().primaryKey().$defaultFn(() => uuidv7())

export const tstz = () => timestamp({ withTimezone: true, mode: 'date' })

/** The columns every entity carries: identity, caller's id, optimistic version, times. */
export const entityColumns = () => ({
  id: id(),
  externalId: text(),
  version: integer().notNull().default(1),
  createdAt: tstz().notNull().defaultNow(),
  updatedAt: tstz().notNull().defaultNow(),
  deletedAt: tstz()
})

/**
 * Personal data: ciphertext, a keyed blind index for exact-match lookup, and the masked
 * form (138****1234) for roles that may not read it.
 */
export const contactColumns = () => ({
  phoneEnc: text(), phoneIdx: text(), phoneMasked: text(),
  emailEnc: text(), emailIdx: text(), emailMasked: text()
})

/** 身份证号 (docs/security.md, "ID numbers"): sealed, blind-indexed and masked like a phone. */
export const idNumberColumns = () => ({
  idNumberEnc: text(), idNumberIdx: text(), idNumberMasked: text()
})
