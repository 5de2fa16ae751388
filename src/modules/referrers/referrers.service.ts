import { randomInt } from 'node:crypto'
import { getTableColumns, type SQL } from 'drizzle-orm'
import { runAction, type Action } from '../../db/action.js'
import type { Executor, Tx } from '../../db/client.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { CrmError, invalid, notFound, staleVersion, uniqueViolation } from '../../errors.js'
import {
  generateReferralCode, normalizeReferralCode, REFERRAL_CODE_ALPHABET, REFERRAL_CODE_LENGTH
} from '../../rules/referral-code.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize, canReadPii } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields, withContactChanges } from '../common/changes.js'
import { lazyClearContact, openContact, sealContact } from '../common/contact.js'
import { recordReads } from '../audit/access-reads.js'
import { lazyClearIdNumber, openIdNumber, sealIdNumber } from '../common/id-number.js'
import { assertAssignable } from '../common/owners.js'
import { asTaken, upsertUpdate } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { referrerConditions, referrersRepository as repo, type ReferrerInsert, type ReferrerRow } from './referrers.repository.js'
import { assertNoDuplicate, duplicateError, findDuplicate, lockContacts } from '../common/duplicates.js'
import { ReferrerCreateRequest, ReferrerFilter, ReferrerUpdate, type ReferrerOrderField } from './referrers.schemas.js'
import { refuseErased } from '../privacy/erasure-tombstones.js'
import { assertMayFilterBy } from '../common/personal-search.js'

type Hidden = 'phoneEnc' | 'phoneIdx' | 'phoneMasked' | 'emailEnc' | 'emailIdx' | 'emailMasked' | 'idNumberEnc' | 'idNumberIdx' | 'idNumberMasked' | 'deletedAt'
/** What callers see of a referrer: no ciphertext, blind indexes or deletedAt; phone and email clear or masked. */
export type Referrer = Omit<ReferrerRow, Hidden> & { phone: string | null; email: string | null; idNumber: string | null }
const hidden: ReadonlySet<string> = new Set<Hidden>(['phoneEnc', 'phoneIdx', 'phoneMasked', 'emailEnc', 'emailIdx', 'emailMasked', 'idNumberEnc', 'idNumberIdx', 'idNumberMasked', 'deletedAt'])
// toView copies these in a loop: object rest per row cost several times as much.
export const viewKeys = Object.keys(getTableColumns(referrers)).filter((k) => !hidden.has(k)) as (keyof Referrer & keyof ReferrerRow)[]
export type ReferrerOrder = { field: ReferrerOrderField; direction: 'ASC' | 'DESC' }
/** One random integer in [0, max): crypto.randomInt in production, scripted in tests. */
export type Draw = (max: number) => number

const orderColumns = { createdAt: referrers.createdAt, updatedAt: referrers.updatedAt, name: referrers.name }
const auditedFields = [
  'externalId', 'kind', 'name', 'customerId', 'userId', 'phone', 'email', 'idNumber', 'company', 'industry', 'title', 'region',
  'code', 'tier', 'status', 'ownerId', 'tags', 'attributes'
] as const
// Each generated code is one of 31^8; five clashes in a row mean something else is wrong.
const CODE_ATTEMPTS = 5

/** 推荐人: who refers customers, their referral code, and who owns the relationship. */
export class ReferrersService {
  constructor(private readonly deps: ServiceDeps, private readonly draw: Draw = (max) => randomInt(max)) {}

  /** The filter that hides referrers outside the actor's reach (referrer tokens: only their own). */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'referrers', op), { owner: referrers.ownerId, self: referrers.id })
  }

  /** One referrer the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Referrer> {
    const scope = this.scope(actor)
    const row = isUuid(id) ? await repo.byId(this.deps.db, id, scope) : undefined
    if (!row) throw notFound('Referrer', id)
    return this.toView(actor, row)
  }

  /** The referrer behind a link or QR code, case-insensitively; NOT_FOUND if unknown or unseen. */
  async getByCode(actor: Actor, code: string): Promise<Referrer> {
    const scope = this.scope(actor)
    const normalised = normalizeReferralCode(code)
    const row = normalised.ok ? await repo.byCode(this.deps.db, normalised.value, scope) : undefined
    if (!row) throw notFound('Referrer')
    return this.toView(actor, row)
  }

  /** Batched read for loaders: referrers by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Referrer | null)[]> {
    const scope = this.scope(actor)
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), scope)
    const byId = new Map(rows.map((r) => [r.id, this.toView(actor, r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** A keyset page of the referrers the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: ReferrerOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const parsed = parse(ReferrerFilter, filter ?? {})
    assertMayFilterBy(actor, parsed)
    const where = referrerConditions(parsed, this.deps.pii)
    if (scope) where.push(scope)
    const keyset = new Keyset(order.field, orderColumns[order.field], referrers.id, order.direction, page)
    const result = keyset.page(await repo.page(this.deps.db, where, keyset))
    return {
      ...result,
      rows: result.rows.map((r) => this.toView(actor, r as ReferrerRow)),
      count: () => repo.count(this.deps.db, where)
    }
  }

  /**
   * Creates a referrer with the caller's code or a generated one; the caller owns it unless another
   * owner is named. A phone or email a live referrer already has is DUPLICATE unless allowDuplicate.
   */
  async create(actor: Actor, input: unknown): Promise<Referrer> {
    authorize(actor, 'referrers', 'write')
    const data = parse(ReferrerCreateRequest, input)
    if (data.code !== undefined) this.normalisedCode(data.code)
    return runAction(this.deps.db, actionContext(actor), (action) => this.createWithin(action, actor, data))
  }

  /** `create` inside the caller's transaction (inviteReferrer makes a customer a referrer in its own). */
  async createWithin({ tx, audit, emit }: Action, actor: Actor, input: unknown): Promise<Referrer> {
    const reach = authorize(actor, 'referrers', 'write')
    const data = parse(ReferrerCreateRequest, input)
    const code = data.code === undefined ? undefined : this.normalisedCode(data.code)
    const ownerId = data.ownerId !== undefined ? data.ownerId : actor.userId
    if (ownerId) await assertAssignable(tx, actor, reach, ownerId)
    else if (reach !== 'all') throw invalid('ownerId', 'is required', 'REQUIRED')
    await this.assertLinks(tx, actor, data)
    const values = { ...this.columns(data), kind: data.kind, name: data.name, ownerId }
    if (this.checksDuplicates(data.allowDuplicate)) await assertNoDuplicate(tx, 'referrer', values, this.scope(actor), undefined, (i) => this.deps.pii.indexesOf(i))
    const row = code ? await this.insertUnique(tx, { ...values, code }) : await this.insertWithGeneratedCode(tx, values)
    audit({ action: 'referrer.created', entityType: 'referrer', entityId: row.id, changes: this.auditView(row) })
    emit({ type: 'referrer.created', entityType: 'referrer', entityId: row.id, data: { referrer: this.auditView(row) } })
    return this.toView(actor, row)
  }

  /** Changes the given fields; with expectedVersion, refuses a stale write (412 / STALE_VERSION). */
  async update(actor: Actor, id: string, input: unknown): Promise<Referrer> {
    return this.applyUpdate(actor, id, parse(ReferrerUpdate, input), false)
  }

  /**
   * PUT by the caller's externalId: creates the referrer, or sets the given fields on the
   * one that has it (reviving it if it was deleted). Concurrent upserts converge on one row.
   */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown): Promise<{ referrer: Referrer; created: boolean }> {
    authorize(actor, 'referrers', 'write')
    const data = parse(ReferrerCreateRequest, { ...(input as object), externalId })
    // An erased person does not come back by their old externalId (docs/privacy.md, Erasure).
    await refuseErased(this.deps.db, this.deps.pii, 'referrer', externalId)
    for (let attempt = 0; ; attempt++) {
      const existing = await repo.byExternalId(this.deps.db, externalId)
      if (existing) return { referrer: await upsertUpdate('referrer', 'Referrer', [existing.id], () => this.applyUpdate(actor, existing.id, data, true)), created: false }
      try {
        return { referrer: await this.create(actor, data), created: true }
      } catch (err) {
        // Lost a race with a concurrent upsert of the same externalId: update that one.
        if (attempt > 0 || !(err instanceof CrmError && err.code === 'CRM_ERR_CONFLICT' && err.fieldErrors[0]?.field === 'externalId')) throw err
      }
    }
  }

  /** Soft delete: the referrer leaves every list, its code stays reserved, its history stays. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'referrers', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write')) : undefined
      if (!before) throw notFound('Referrer', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Referrer', expectedVersion, before.version)
      await repo.update(tx, id, { deletedAt: new Date() })
      audit({ action: 'referrer.deleted', entityType: 'referrer', entityId: id })
      return { id }
    })
  }

  private async applyUpdate(actor: Actor, id: string, data: ReferrerUpdate, revive: boolean): Promise<Referrer> {
    const reach = authorize(actor, 'referrers', 'write')
    const code = data.code === undefined ? undefined : this.normalisedCode(data.code)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const values = this.columns(data)
      // The values' locks before the row lock, as an import chunk takes them (common/duplicates.ts).
      const checked = this.checksDuplicates(data.allowDuplicate) && isUuid(id)
      if (checked) await lockContacts(tx, 'referrer', values)
      const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write'), revive) : undefined
      if (!before) throw notFound('Referrer', id)
      if (data.expectedVersion !== undefined && before.version !== data.expectedVersion) {
        throw staleVersion('Referrer', data.expectedVersion, before.version)
      }
      if (data.ownerId && data.ownerId !== before.ownerId) await assertAssignable(tx, actor, reach, data.ownerId)
      if (data.ownerId === null && reach !== 'all') throw invalid('ownerId', 'cannot be cleared', 'REQUIRED')
      await this.assertLinks(tx, actor, {
        customerId: data.customerId !== before.customerId ? data.customerId : undefined,
        userId: data.userId !== before.userId ? data.userId : undefined
      })
      // Only a phone or email that changes is checked: a record keeps what it already had.
      if (checked) {
        const changed = { phoneIdx: values.phoneIdx !== before.phoneIdx ? values.phoneIdx : null, emailIdx: values.emailIdx !== before.emailIdx ? values.emailIdx : null }
        const match = await findDuplicate(tx, 'referrer', changed, this.scope(actor), id, (i) => this.deps.pii.indexesOf(i))
        if (match) throw duplicateError('referrer', match)
      }
      const after = await this.updateUnique(tx, id, {
        ...values, ...(code ? { code } : {}), ...(revive ? { deletedAt: null } : {})
      })
      const changes = withContactChanges(changedFields(this.auditView(before), this.auditView(after), auditedFields), before, after)
      if (Object.keys(changes).length > 0) {
        audit({ action: 'referrer.updated', entityType: 'referrer', entityId: id, changes })
        emit({ type: 'referrer.updated', entityType: 'referrer', entityId: id, data: { id, version: after.version, changes } })
      }
      return this.toView(actor, after)
    })
  }

  toView(actor: Actor, row: ReferrerRow): Referrer {
    const view = {} as Record<string, unknown>
    for (const key of viewKeys) view[key] = row[key]
    if (!canReadPii(actor)) return Object.assign(view, openContact(this.deps.pii, row, false), { idNumber: row.idNumberMasked }) as Referrer
    // Decrypted on first read only (as customers do): `referrer { id name }` on a page skips
    // the two AES-GCM opens per row. Enumerable, so JSON and spreads see them.
    const record = recordReads(actor, 'referrer', row.id)
    lazyClearContact(this.deps.pii, view, row, record)
    lazyClearIdNumber(this.deps.pii, view, row, record)
    return view as Referrer
  }

  /** The referrer as audit entries and events carry it: personal data masked, never clear. */
  private auditView(row: ReferrerRow) {
    const { phoneEnc: _pe, phoneIdx: _pi, phoneMasked, emailEnc: _ee, emailIdx: _ei, emailMasked, idNumberEnc: _ie, idNumberIdx: _ii, idNumberMasked, deletedAt: _d, ...rest } = row
    return { ...rest, phone: phoneMasked, email: emailMasked, idNumber: idNumberMasked }
  }

  /** Whether this write checks for duplicates: the configured policy, unless the caller allows them. */
  private checksDuplicates(allowDuplicate: boolean | undefined): boolean {
    return this.deps.config.DUPLICATE_POLICY === 'reject' && allowDuplicate !== true
  }

  /** Plain columns of the input; the code is handled apart (normalised or generated). */
  private columns(data: ReferrerUpdate): Partial<ReferrerInsert> {
    const { phone, email, idNumber, code: _c, expectedVersion: _v, allowDuplicate: _a, ...plain } = data
    return { ...plain, ...sealContact(this.deps.pii, { phone, email }), ...sealIdNumber(this.deps.pii, idNumber) }
  }

  private normalisedCode(code: string): string {
    const normalised = normalizeReferralCode(code)
    if (!normalised.ok) throw invalid('code', normalised.reason, 'INVALID_CODE')
    return normalised.value
  }

  /** Linked customer and user must exist; a customer outside the caller's reach counts as unknown. */
  private async assertLinks(ex: Executor, actor: Actor, links: { customerId?: string | null; userId?: string | null }) {
    if (links.customerId) {
      const scope = reachFilter(actor, authorize(actor, 'customers', 'read'), { owner: customers.ownerId })
      if (!(await repo.customerExists(ex, links.customerId, scope))) throw invalid('customerId', 'is not a known customer', 'UNKNOWN_CUSTOMER')
    }
    if (links.userId && !(await repo.userExists(ex, links.userId))) throw invalid('userId', 'is not a known user', 'UNKNOWN_USER')
  }

  /** Inserts under a fresh random code, drawing again when the code is already taken. */
  private async insertWithGeneratedCode(tx: Tx, values: Omit<ReferrerInsert, 'code'>): Promise<ReferrerRow> {
    for (let attempt = 1; ; attempt++) {
      const code = generateReferralCode(Array.from({ length: REFERRAL_CODE_LENGTH }, () => this.draw(REFERRAL_CODE_ALPHABET.length)))
      try {
        // A savepoint, so a clash rolls back only this insert, not the whole action.
        return await tx.transaction((sp) => repo.insert(sp, { ...values, code }))
      } catch (err) {
        if (attempt >= CODE_ATTEMPTS || uniqueViolation(err)?.constraint !== 'referrers_code_uq') throw asTaken(err, 'referrer')
      }
    }
  }

  private async insertUnique(tx: Tx, values: ReferrerInsert): Promise<ReferrerRow> {
    try {
      return await repo.insert(tx, values)
    } catch (err) {
      throw asTaken(err, 'referrer')
    }
  }

  private async updateUnique(tx: Tx, id: string, values: Partial<ReferrerInsert>): Promise<ReferrerRow> {
    try {
      return (await repo.update(tx, id, values))!
    } catch (err) {
      throw asTaken(err, 'referrer')
    }
  }
}
