import { randomBytes } from 'node:crypto'
import { sql } from 'drizzle-orm'
import { IdMaker } from '../../cli/seed-ids.js'
import type { Tx } from '../../db/client.js'
import { copyIntoTx } from '../../db/copy.js'
import { rows } from '../../db/rows.js'
import { uniqueViolation } from '../../errors.js'
import { COUPON_CODE_BYTES, COUPON_CODE_LENGTH, couponCodeFromBytes } from '../../rules/coupon-code.js'

/**
 * Writing many new codes fast: rows made in memory (ids and codes from pooled randomness)
 * and COPY'd straight into `coupons`, a chunk at a time, each chunk under a savepoint. A
 * chunk whose COPY meets a taken code (a collision: at 60 bits, about one in 10^12 codes
 * against a million held) is rolled back to its savepoint and goes the slow way instead:
 * COPY into a staging table, `insert … on conflict do nothing`, and fresh codes for the
 * ones that collided, until the chunk is whole.
 */

export type CodeRows = {
  templateId: string
  batchId: string
  issuedAt: Date
  validFrom: Date | null
  validUntil: Date | null
}

/** A source of new codes: crypto randomness, drawn a block at a time (a seam for tests that force collisions). */
export type CodeSource = (n: number) => string[]

export const randomCodes: CodeSource = (n) => {
  const bytes = randomBytes(n * COUPON_CODE_BYTES)
  const out = new Array<string>(n)
  for (let i = 0; i < n; i++) out[i] = couponCodeFromBytes(bytes, i * COUPON_CODE_BYTES)
  return out
}

export const CHUNK = 100_000
const COLUMNS = ['id', 'template_id', 'batch_id', 'code', 'issued_at', 'valid_from', 'valid_until'] as const
const MAX_ROUNDS = 20

const tsText = (d: Date | null) => (d ? d.toISOString() : '\\N')

/**
 * COPY rows of new coupons as ONE string: every row has the same width (ids and codes are
 * fixed-length ASCII), so a row rendered once is copied and only its id and code are
 * written over: about twice as fast as joining strings per row, with one allocation.
 */
function copyRows(spec: CodeRows, codes: readonly string[], ids: IdMaker): string {
  const idAt = 0
  const codeAt = `${'0'.repeat(36)}\t${spec.templateId}\t${spec.batchId}\t`.length
  const row = Buffer.from(`${'0'.repeat(36)}\t${spec.templateId}\t${spec.batchId}\t${'2'.repeat(COUPON_CODE_LENGTH)}\t${tsText(spec.issuedAt)}\t${tsText(spec.validFrom)}\t${tsText(spec.validUntil)}\n`, 'latin1')
  const out = Buffer.allocUnsafe(row.length * codes.length)
  for (let i = 0, at = 0; i < codes.length; i++, at += row.length) {
    row.copy(out, at)
    out.write(ids.next(), at + idAt, 'latin1')
    out.write(codes[i], at + codeAt, 'latin1')
  }
  return out.toString('latin1')
}

/** Inserts `quantity` new coupons of the batch; answers how many COPY chunks needed the slow way. */
export async function insertCodes(tx: Tx, spec: CodeRows, quantity: number, source: CodeSource = randomCodes): Promise<{ slowChunks: number }> {
  const ids = new IdMaker()
  let slowChunks = 0
  for (let done = 0; done < quantity; done += CHUNK) {
    const n = Math.min(CHUNK, quantity - done)
    const codes = source(n)
    try {
      await tx.transaction(async (sp) => copyIntoTx(sp, 'coupons', COLUMNS, [copyRows(spec, codes, ids)]))
    } catch (err) {
      if (!uniqueViolation(err)) throw err
      slowChunks++
      await insertAvoidingCollisions(tx, spec, codes, ids, source)
    }
  }
  return { slowChunks }
}

/** The slow way for one chunk: staged, inserted where free, the collided ones drawn again. */
async function insertAvoidingCollisions(tx: Tx, spec: CodeRows, first: string[], ids: IdMaker, source: CodeSource): Promise<void> {
  await tx.execute(sql`create temp table if not exists coupon_codes_stage (like coupons including defaults) on commit drop`)
  let codes = first
  for (let round = 0; round < MAX_ROUNDS && codes.length > 0; round++) {
    await tx.execute(sql`truncate coupon_codes_stage`)
    await copyIntoTx(tx, 'coupon_codes_stage', COLUMNS, [copyRows(spec, codes, ids)])
    const [done] = await rows<{ n: number }>(tx, sql`with added as (
      insert into coupons select * from coupon_codes_stage on conflict do nothing returning 1
    ) select count(*)::int as n from added`)
    const missing = codes.length - Number(done.n)
    codes = missing > 0 ? source(missing) : []
  }
  if (codes.length > 0) throw new Error(`${codes.length} coupon codes still collide after ${MAX_ROUNDS} draws`)
}
