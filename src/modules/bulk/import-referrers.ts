import { randomInt } from 'node:crypto'
import { sql, type SQL } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import type { Tx } from '../../db/client.js'
import { rows as resultRows } from '../../db/rows.js'
import { copyIntoTx, copyLine } from '../../db/copy.js'
import { customers } from '../../db/schema/customers.js'
import { invalid } from '../../errors.js'
import {
  generateReferralCode, normalizeReferralCode, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
} from '../../rules/referral-code.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { sealContact } from '../common/contact.js'
import { sealIdNumber } from '../common/id-number.js'
import { parse } from '../common/validate.js'
import { ReferrersService } from '../referrers/referrers.service.js'
import { ReferrerCreate } from '../referrers/referrers.schemas.js'
import type { ServiceDeps } from '../service-deps.js'
import { dropStaged, findProblems, ownerChecks, problemError, reachCheck } from './import-checks.js'
import { bit, byExternalId, exists, insertStatement, isoTime, stagingColumns, stagingDdl, updateStatement, type UpsertSpec } from './import-table.js'
import { lockChunkContacts, refuseDuplicates, type DuplicateSpec } from './import-duplicates.js'
import { ChunkRace, type EntityImport, type ImportChoices, type StagedRow } from './import-types.js'
import { given } from './import-values.js'

/** Referrers by externalId: the fields of ReferrerCreate, as PUT /referrers/by-external-id takes them. */
export const referrerSpec: UpsertSpec = {
  table: 'referrers',
  staging: 'import_referrers',
  entityType: 'referrer',
  fields: [
    { key: 'externalId', column: 'external_id', type: 'text' },
    { key: 'kind', column: 'kind', type: 'referrer_kind' },
    { key: 'name', column: 'name', type: 'text' },
    { key: 'customerId', column: 'customer_id', type: 'uuid' },
    { key: 'userId', column: 'user_id', type: 'uuid' },
    { key: 'phone', column: 'phone', type: 'text', contact: true },
    { key: 'email', column: 'email', type: 'text', contact: true },
    { key: 'idNumber', column: 'id_number', type: 'text', contact: true },
    { key: 'company', column: 'company', type: 'text' },
    { key: 'industry', column: 'industry', type: 'text' },
    { key: 'title', column: 'title', type: 'text' },
    { key: 'region', column: 'region', type: 'text' },
    { key: 'code', column: 'code', type: 'text' },
    { key: 'tier', column: 'tier', type: 'text' },
    { key: 'status', column: 'status', type: 'referrer_status' },
    { key: 'ownerId', column: 'owner_id', type: 'uuid' },
    { key: 'tags', column: 'tags', type: 'text[]' },
    { key: 'attributes', column: 'attributes', type: 'jsonb' }
  ],
  viewDoc: (a) => `jsonb_build_object('id', ${a}.id, 'externalId', ${a}.external_id, 'version', ${a}.version,
    'createdAt', ${isoTime(`${a}.created_at`)}, 'updatedAt', ${isoTime(`${a}.updated_at`)}, 'kind', ${a}.kind,
    'customerId', ${a}.customer_id, 'userId', ${a}.user_id, 'name', ${a}.name, 'company', ${a}.company, 'industry', ${a}.industry,
    'title', ${a}.title, 'region', ${a}.region, 'code', ${a}.code, 'tier', ${a}.tier, 'status', ${a}.status, 'ownerId', ${a}.owner_id,
    'tags', ${a}.tags, 'attributes', ${a}.attributes, 'phone', ${a}.phone_masked, 'email', ${a}.email_masked, 'idNumber', ${a}.id_number_masked)`
}

const COLUMNS = stagingColumns(referrerSpec)
const OWNER = bit(referrerSpec, 'ownerId')
const CODE = bit(referrerSpec, 'code')
const CUSTOMER = bit(referrerSpec, 'customerId')
const USER = bit(referrerSpec, 'userId')
// As the single write: five clashes of a generated code in a row mean something else is wrong.
const CODE_ROUNDS = 5

export const referrerColumns = {
  externalId: 'given', kind: 'given', name: 'given', customerId: 'text', userId: 'text', phone: 'text', email: 'text', idNumber: 'text',
  company: 'text', industry: 'text', title: 'text', region: 'text', code: 'given', tier: 'given', status: 'given',
  ownerId: 'text', tags: 'list', attributes: 'object'
} as const

const newCode = () => generateReferralCode(Array.from({ length: REFERRAL_CODE_LENGTH }, () => randomInt(REFERRAL_CODE_ALPHABET.length)))

/** The referrers import for one actor: ReferrerCreate's rules per row, set-based per chunk. */
export function referrersImport(deps: ServiceDeps, actor: Actor, choices: ImportChoices = {}): EntityImport {
  const reach = authorize(actor, 'referrers', 'write')
  const single = new ReferrersService(deps)
  const scope = single.scope(actor, 'write')
  const ctx = actionContext(actor)
  const duplicates: DuplicateSpec | null = deps.config.DUPLICATE_POLICY === 'reject' && !choices.allowDuplicate
    ? { entity: 'referrer', table: 'referrers', staging: referrerSpec.staging, phoneBit: bit(referrerSpec, 'phone'), emailBit: bit(referrerSpec, 'email'), scope: single.scope(actor) }
    : null
  // Linked customers must be ones the writer can see (assertLinks).
  let customerScope: SQL | undefined
  try {
    customerScope = reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
  } catch {
    customerScope = sql`false`
  }
  const linked = (column: string, mask: number) =>
    sql.raw(`s.${column} is not null and (referrers.id is null or (s.given & ${mask} <> 0 and s.${column} is distinct from referrers.${column}))`)
  const checks = (): SQL[] => [
    ...reachCheck('referrers', scope),
    ...ownerChecks(actor, reach, 'referrers', OWNER),
    sql`case when ${linked('customer_id', CUSTOMER)} and not exists (select 1 from customers where customers.id = s.customer_id
      and customers.deleted_at is null ${customerScope ? sql`and ${customerScope}` : sql``} offset 0) then 'UNKNOWN_CUSTOMER' end`,
    sql`case when ${linked('user_id', USER)} and not exists (select 1 from users u where u.id = s.user_id and u.deleted_at is null offset 0) then 'UNKNOWN_LINKED_USER' end`,
    // A code another referrer has, or an earlier row of this chunk takes: given, refused; generated, drawn again.
    sql`case when s.code is not null and (exists (select 1 from referrers r2 where upper(r2.code) = s.code and r2.id is distinct from referrers.id offset 0)
      or exists (select 1 from import_referrers s2 where s2.code = s.code and s2.row_no < s.row_no))
      then case when s.given & ${sql.raw(String(CODE))} <> 0 then 'CODE_TAKEN' else 'CODE_REDRAW' end end`
  ]
  const from = sql.raw(`import_referrers s left join ${byExternalId('referrers')} referrers on true
    left join users o on o.id = s.owner_id and o.deleted_at is null`)

  async function checked(tx: Tx) {
    for (let round = 1; ; round++) {
      const found = await findProblems(tx, from, checks())
      const redraw = found.filter((f) => f.problem === 'CODE_REDRAW')
      if (redraw.length === 0 || round >= CODE_ROUNDS) return found.map((f) => f.problem === 'CODE_REDRAW' ? { ...f, problem: 'CODE_TAKEN' } : f)
      const values = JSON.stringify(redraw.map((f) => ({ row_no: f.row, code: newCode() })))
      await tx.execute(sql`update import_referrers s set code = v.code from jsonb_to_recordset(${values}::jsonb) as v(row_no int, code text) where s.row_no = v.row_no`)
    }
  }

  return {
    columns: referrerColumns,

    stage(input, row): StagedRow {
      const data = parse(ReferrerCreate, input)
      if (!data.externalId) throw invalid('externalId', 'is required: an import upserts by it', 'REQUIRED')
      let code = newCode()
      if (data.code !== undefined) {
        const normalised = normalizeReferralCode(data.code)
        if (!normalised.ok) throw invalid('code', normalised.reason, 'INVALID_CODE')
        code = normalised.value
      }
      const sealed = sealContact(deps.pii, { phone: data.phone, email: data.email })
      const id = sealIdNumber(deps.pii, data.idNumber)
      const line = copyLine([
        row, uuidv7(), uuidv7(), uuidv7(), given(referrerSpec, data), data.externalId, data.kind, data.name,
        data.customerId ?? null, data.userId ?? null,
        sealed.phoneEnc ?? null, sealed.phoneIdx ?? null, sealed.phoneMasked ?? null,
        sealed.emailEnc ?? null, sealed.emailIdx ?? null, sealed.emailMasked ?? null,
        id.idNumberEnc ?? null, id.idNumberIdx ?? null, id.idNumberMasked ?? null,
        data.company ?? null, data.industry ?? null, data.title ?? null, data.region ?? null, code,
        data.tier ?? 'standard', data.status ?? 'active', data.ownerId !== undefined ? data.ownerId : actor.userId,
        data.tags ?? [], data.attributes ?? {}
      ])
      return { row, externalId: data.externalId, line, input: data }
    },

    async apply({ tx }: Action, rows) {
      // Before any row lock, as the single writes take their values' locks (common/duplicates.ts).
      if (duplicates) await lockChunkContacts(tx, duplicates)
      // The statements over a chunk are short and wide: compiling them (JIT) took seconds and saved nothing.
      await tx.execute(sql`set local jit = off`)
      await tx.execute(stagingDdl(referrerSpec))
      await copyIntoTx(tx, referrerSpec.staging, COLUMNS, rows.map((r) => r.line))
      await tx.execute(sql`analyze import_referrers`)
      await tx.execute(sql.raw(`select count(*) from import_referrers s cross join ${byExternalId('referrers', 'for update')} locked`))
      // An update that names no code keeps its own: the drawn one is for new referrers only.
      await tx.execute(sql`update import_referrers s set code = null where s.given & ${sql.raw(String(CODE))} = 0
        and ${sql.raw(exists('referrers'))}`)
      const found = await checked(tx)
      await dropStaged(tx, referrerSpec.staging, found.map((f) => f.row))
      const duplicate = duplicates ? await refuseDuplicates(tx, duplicates) : []
      const [updated] = await resultRows<{ matched: number; changed: number }>(tx, updateStatement(referrerSpec, ctx))
      const [inserted] = await resultRows<{ created: number; attempted: number }>(tx, insertStatement(referrerSpec, ctx))
      if (inserted.created !== inserted.attempted) throw new ChunkRace()
      return {
        created: inserted.created, updated: updated.changed, unchanged: updated.matched - updated.changed,
        rejected: [...found.map((f) => problemError(f.row, f.problem)), ...duplicate], later: []
      }
    }
  }
}
