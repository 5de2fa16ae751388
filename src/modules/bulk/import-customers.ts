import { sql } from 'drizzle-orm'
import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import { copyIntoTx, copyLine } from '../../db/copy.js'
import { rows as resultRows } from '../../db/rows.js'
import { invalid } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { sealContact } from '../common/contact.js'
import { sealIdNumber } from '../common/id-number.js'
import { parse } from '../common/validate.js'
import { CustomersService } from '../customers/customers.service.js'
import { CustomerCreate } from '../customers/customers.schemas.js'
import { recountCustomers, shareEdgeLock } from '../scoring/scoring.aggregates.js'
import type { ServiceDeps } from '../service-deps.js'
import { dropStaged, findProblems, ownerChecks, problemError, reachCheck } from './import-checks.js'
import { bit, byExternalId, insertStatement, isoTime, stagingColumns, stagingDdl, updateStatement, type UpsertSpec } from './import-table.js'
import { lockChunkContacts, refuseDuplicates, type DuplicateSpec } from './import-duplicates.js'
import { ChunkRace, type EntityImport, type ImportChoices, type StagedRow } from './import-types.js'
import { calendarDate, given } from './import-values.js'

/** Customers by externalId: the fields of CustomerCreate, as PUT /customers/by-external-id takes them. */
export const customerSpec: UpsertSpec = {
  table: 'customers',
  staging: 'import_customers',
  entityType: 'customer',
  fields: [
    { key: 'externalId', column: 'external_id', type: 'text' },
    { key: 'name', column: 'name', type: 'text' },
    { key: 'gender', column: 'gender', type: 'gender' },
    { key: 'birthday', column: 'birthday', type: 'date' },
    { key: 'phone', column: 'phone', type: 'text', contact: true },
    { key: 'email', column: 'email', type: 'text', contact: true },
    { key: 'idNumber', column: 'id_number', type: 'text', contact: true },
    { key: 'address', column: 'address', type: 'text' },
    { key: 'company', column: 'company', type: 'text' },
    { key: 'industry', column: 'industry', type: 'text' },
    { key: 'title', column: 'title', type: 'text' },
    { key: 'region', column: 'region', type: 'text' },
    { key: 'sourceChannel', column: 'source_channel', type: 'text' },
    { key: 'ownerId', column: 'owner_id', type: 'uuid' },
    { key: 'referrerId', column: 'referrer_id', type: 'uuid' },
    { key: 'tags', column: 'tags', type: 'text[]' },
    { key: 'attributes', column: 'attributes', type: 'jsonb' },
    { key: 'consent', column: 'consent', type: 'jsonb' },
    { key: 'lifecycleStage', column: 'lifecycle_stage', type: 'lifecycle_stage' },
    { key: 'tier', column: 'tier', type: 'customer_tier' }
  ],
  // CustomersService.auditView: every column but ciphertext, indexes, deletedAt and mergedIntoId; contact masked.
  viewDoc: (a) => `jsonb_build_object('id', ${a}.id, 'externalId', ${a}.external_id, 'version', ${a}.version,
    'createdAt', ${isoTime(`${a}.created_at`)}, 'updatedAt', ${isoTime(`${a}.updated_at`)}, 'name', ${a}.name, 'gender', ${a}.gender,
    'birthday', ${a}.birthday, 'address', ${a}.address, 'company', ${a}.company, 'industry', ${a}.industry, 'title', ${a}.title,
    'region', ${a}.region, 'sourceChannel', ${a}.source_channel, 'ownerId', ${a}.owner_id, 'referrerId', ${a}.referrer_id,
    'referredByReferralId', ${a}.referred_by_referral_id, 'tags', ${a}.tags, 'attributes', ${a}.attributes, 'consent', ${a}.consent,
    'lifecycleStage', ${a}.lifecycle_stage, 'tier', ${a}.tier, 'phone', ${a}.phone_masked, 'email', ${a}.email_masked, 'idNumber', ${a}.id_number_masked)`
}

const COLUMNS = stagingColumns(customerSpec)
const OWNER = bit(customerSpec, 'ownerId')

/** Customers' CSV columns and how their cells read (import-cells.ts). */
export const customerColumns = {
  externalId: 'given', name: 'given', gender: 'given', birthday: 'text', phone: 'text', email: 'text', idNumber: 'text', address: 'text',
  company: 'text', industry: 'text', title: 'text', region: 'text', sourceChannel: 'text', ownerId: 'text', referrerId: 'text',
  tags: 'list', attributes: 'object', consent: 'nullableObject', lifecycleStage: 'given', tier: 'text'
} as const

/** The customers import for one actor: CustomerCreate's rules per row, set-based per chunk. */
export function customersImport(deps: ServiceDeps, actor: Actor, choices: ImportChoices = {}): EntityImport {
  const reach = authorize(actor, 'customers', 'write')
  const single = new CustomersService(deps)
  const scope = single.scope(actor, 'write')
  const ctx = actionContext(actor)
  const duplicates: DuplicateSpec | null = deps.config.DUPLICATE_POLICY === 'reject' && !choices.allowDuplicate
    ? { entity: 'customer', table: 'customers', staging: customerSpec.staging, phoneBit: bit(customerSpec, 'phone'), emailBit: bit(customerSpec, 'email'), scope: single.scope(actor) }
    : null
  return {
    columns: customerColumns,

    stage(input, row): StagedRow {
      const data = parse(CustomerCreate, input)
      if (!data.externalId) throw invalid('externalId', 'is required: an import upserts by it', 'REQUIRED')
      if (data.birthday) calendarDate('birthday', data.birthday)
      const sealed = sealContact(deps.pii, { phone: data.phone, email: data.email })
      const id = sealIdNumber(deps.pii, data.idNumber)
      const mask = given(customerSpec, data)
      const line = copyLine([
        row, uuidv7(), uuidv7(), uuidv7(), mask, data.externalId, data.name, data.gender ?? 'unknown', data.birthday ?? null,
        sealed.phoneEnc ?? null, sealed.phoneIdx ?? null, sealed.phoneMasked ?? null,
        sealed.emailEnc ?? null, sealed.emailIdx ?? null, sealed.emailMasked ?? null,
        id.idNumberEnc ?? null, id.idNumberIdx ?? null, id.idNumberMasked ?? null,
        data.address ?? null, data.company ?? null, data.industry ?? null, data.title ?? null, data.region ?? null,
        data.sourceChannel ?? null, data.ownerId !== undefined ? data.ownerId : actor.userId, data.referrerId ?? null,
        data.tags ?? [], data.attributes ?? {}, data.consent ?? null, data.lifecycleStage ?? 'prospect', data.tier ?? null
      ])
      return { row, externalId: data.externalId, line, input: data }
    },

    async apply({ tx }: Action, rows) {
      // A revived customer is recounted: the scoring edge lock before any row lock (as applyUpdate).
      await shareEdgeLock(tx)
      // Before any row lock, as the single writes take their values' locks (common/duplicates.ts).
      if (duplicates) await lockChunkContacts(tx, duplicates)
      // The statements over a chunk are short and wide: compiling them (JIT) took seconds and saved nothing.
      await tx.execute(sql`set local jit = off`)
      await tx.execute(stagingDdl(customerSpec))
      await copyIntoTx(tx, customerSpec.staging, COLUMNS, rows.map((r) => r.line))
      await tx.execute(sql`analyze import_customers`)
      await tx.execute(sql.raw(`select count(*) from import_customers s cross join ${byExternalId('customers', 'for update')} locked`))
      const found = await findProblems(tx, sql.raw(`import_customers s left join ${byExternalId('customers')} customers on true
        left join users o on o.id = s.owner_id and o.deleted_at is null`), [
        // A merged customer's externalId lands on its survivor: the single write does that, after this chunk.
        sql`case when customers.merged_into_id is not null then 'MERGED' end`,
        ...reachCheck('customers', scope),
        ...ownerChecks(actor, reach, 'customers', OWNER),
        sql`case when s.referrer_id is not null and not exists (select 1 from referrers r where r.id = s.referrer_id offset 0) then 'UNKNOWN_REFERRER' end`
      ])
      const merged = new Set(found.filter((f) => f.problem === 'MERGED').map((f) => f.row))
      await dropStaged(tx, customerSpec.staging, found.map((f) => f.row))
      const duplicate = duplicates ? await refuseDuplicates(tx, duplicates) : []
      const [updated] = await resultRows<{ matched: number; changed: number; revived: string[] }>(tx, updateStatement(customerSpec, ctx))
      if (updated.revived.length > 0) await recountCustomers(tx, updated.revived)
      const [inserted] = await resultRows<{ created: number; attempted: number }>(tx, insertStatement(customerSpec, ctx))
      if (inserted.created !== inserted.attempted) throw new ChunkRace()
      return {
        created: inserted.created, updated: updated.changed, unchanged: updated.matched - updated.changed,
        rejected: [...found.filter((f) => f.problem !== 'MERGED').map((f) => problemError(f.row, f.problem)), ...duplicate],
        later: rows.filter((r) => merged.has(r.row))
      }
    },

    async one(row) {
      const { externalId: _e, ...input } = row.input
      const { created } = await single.upsertByExternalId(actor, row.externalId, { ...input, ...(choices.allowDuplicate ? { allowDuplicate: true } : {}) })
      return created ? 'created' : 'updated'
    }
  }
}
