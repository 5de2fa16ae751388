import { eq, isNull, sql, type SQL } from 'drizzle-orm'
import { readGraph, type GraphWant } from '../../db/graph-read.js'
import { runAction } from '../../db/action.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { customers } from '../../db/schema/customers.js'
import { CrmError, invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { changedFields, withContactChanges } from '../common/changes.js'
import { canReadGraph } from '../common/graph.js'
import { sealContact } from '../common/contact.js'
import { sealIdNumber } from '../common/id-number.js'
import { assertAssignable } from '../common/owners.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { customerAuditView, customerGraphView, customerView, type Customer } from './customers.views.js'
import { customerGraph } from './customers.graph.js'
import { customerConditions, customersRepository as repo, type CustomerRow, type CustomerInsert } from './customers.repository.js'
import { recountCustomers, shareEdgeLock } from '../scoring/scoring.aggregates.js'
import { customerRelatedReach } from './customers.related.js'
import { CustomerRfmService } from './customers.rfm.js'
import { insertUnique, updateUnique } from './customers.unique.js'
import { filterUsesScores, isScoreOrder, ScoreKeyset, scoresJoin } from './customers.scores.js'
import {
  CustomerCreateRequest, CustomerFilter, CustomerUpdate, type CustomerOrderField
} from './customers.schemas.js'
import { assertNoDuplicate, duplicateError, findDuplicate, lockContacts } from '../common/duplicates.js'
import { recordCustomerConsents } from '../consents/consents.customer-record.js'
import { refuseErased } from '../privacy/erasure-tombstones.js'
import { upsertUpdate } from '../common/unique.js'
import { assertMayFilterBy } from '../common/personal-search.js'

export type { Customer } from './customers.views.js'
export type CustomerOrder = { field: CustomerOrderField; direction: 'ASC' | 'DESC' }

const orderColumns = { createdAt: customers.createdAt, updatedAt: customers.updatedAt, name: customers.name }
const auditedFields = [
  'externalId', 'name', 'gender', 'birthday', 'phone', 'email', 'idNumber', 'address', 'company', 'industry', 'title', 'region',
  'sourceChannel', 'ownerId', 'referrerId', 'tags', 'attributes', 'consent', 'lifecycleStage', 'tier'
] as const

export class CustomersService {
  /** Customer.rfm and the segment counts (stored RFM scores). */
  readonly rfm: CustomerRfmService

  constructor(private readonly deps: ServiceDeps) {
    this.rfm = new CustomerRfmService(deps, (actor) => this.scope(actor))
  }

  /** The filter that hides customers outside the actor's reach. */
  scope(actor: Actor, op: 'read' | 'write' = 'read'): SQL | undefined {
    return reachFilter(actor, authorize(actor, 'customers', op), { owner: customers.ownerId })
  }

  /** One customer the actor may see, or NOT_FOUND (never a hint that it exists). */
  async get(actor: Actor, id: string): Promise<Customer> {
    const found = await this.find(actor, id)
    if (!found) throw notFound('Customer', id)
    return found
  }

  async find(actor: Actor, id: string): Promise<Customer | null> {
    const scope = this.scope(actor)
    if (!isUuid(id)) return null
    const row = await repo.byId(this.deps.db, id, scope)
    return row ? this.toView(actor, row) : null
  }

  /** Batched read for loaders: customers by id, in the order asked, null where unseen. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(Customer | null)[]> {
    const scope = this.scope(actor)
    const rows = await repo.byIds(this.deps.db, ids.filter(isUuid), scope)
    const byId = new Map(rows.map((r) => [r.id, this.toView(actor, r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /** The owner as a bare reference, for `owner { id }`: same permission as loading the user, no query. */
  ownerRef(actor: Actor, customer: Customer): { id: string } | null {
    authorize(actor, 'users', 'read')
    return customer.ownerId ? { id: customer.ownerId } : null
  }

  /** A keyset page of the customers the actor may see; `count` runs only if called. */
  async list(actor: Actor, filter: unknown, order: CustomerOrder, page: PageRequest) {
    const { where, keyset, joins } = this.listQuery(actor, filter, order, page)
    const rows = await repo.page(this.deps.db, where, keyset, joins.page)
    const result = keyset.page(rows)
    return {
      ...result,
      rows: result.rows.map((r) => this.toView(actor, r as CustomerRow)),
      count: () => repo.count(this.deps.db, where, joins.count)
    }
  }

  /** The conditions and keyset of a list; customer_scores is joined only where the filter or order reads it. */
  private listQuery(actor: Actor, filter: unknown, order: CustomerOrder, page: PageRequest) {
    const scope = this.scope(actor)
    const parsed = parse(CustomerFilter, filter ?? {})
    assertMayFilterBy(actor, parsed)
    const where = customerConditions(parsed, this.deps.pii, customerRelatedReach(actor))
    if (scope) where.push(scope)
    const keyset = isScoreOrder(order.field)
      ? new ScoreKeyset(order.field, order.direction, page)
      : new Keyset(order.field, orderColumns[order.field], customers.id, order.direction, page)
    const filtered = filterUsesScores(parsed)
    return { where, keyset, joins: { page: filtered || isScoreOrder(order.field), count: filtered } }
  }

  /** Whether a GraphQL selection can be read with findGraph / listGraph for this actor. */
  canReadGraph(actor: Actor, want: GraphWant): boolean {
    return canReadGraph(actor, customerGraph, want)
  }

  /** `find` for a GraphQL selection (canReadGraph first): one statement with its relations. */
  async findGraph(actor: Actor, id: string, want: GraphWant): Promise<Customer | null> {
    const scope = this.scope(actor)
    if (!isUuid(id)) return null
    const live = isNull(customers.deletedAt)
    // Unscoped, the text never varies: rendered once per selection, then only `id` is bound.
    const [row] = scope
      ? await readGraph(this.deps.raw, customerGraph, want, { where: [eq(customers.id, id), live, scope] })
      : await readGraph(this.deps.raw, customerGraph, want, () => ({ where: [eq(customers.id, sql.placeholder('id')), live] }), { key: 'byId', values: { id } })
    return row ? customerGraphView(this.deps.pii, actor, row) : null
  }

  /** `list` for a GraphQL selection (canReadGraph first): the page and its relations in one statement. */
  async listGraph(actor: Actor, filter: unknown, order: CustomerOrder, page: PageRequest, want: GraphWant) {
    const { where, keyset, joins } = this.listQuery(actor, filter, order, page)
    const after = keyset.where()
    // The first page with no filter and no reach limit (the usual list screen) is a fixed text.
    const fixed = !after && where.length === 1 ? { key: `first:${keyset.key}:${keyset.direction}`, values: { limit: keyset.limit + 1 } } : undefined
    const rows = await readGraph(this.deps.raw, customerGraph, want, {
      where: after ? [...where, after] : where, join: joins.page ? scoresJoin : undefined, orderBy: keyset.orderBy(),
      limit: fixed ? sql.placeholder('limit') : keyset.limit + 1,
      extra: sql`${keyset.cursorValue} as "cursorValue"`
    }, fixed)
    const result = keyset.page(rows as { id: string; cursorValue: string | null }[])
    return { ...result, rows: result.rows.map((r) => customerGraphView(this.deps.pii, actor, r)), count: () => repo.count(this.deps.db, where, joins.count) }
  }

  /**
   * Creates a customer; the caller owns it unless another owner is named. A phone or email a
   * live customer already has is refused (DUPLICATE) unless allowDuplicate (docs/customers.md).
   */
  async create(actor: Actor, input: unknown): Promise<Customer> {
    const reach = authorize(actor, 'customers', 'write')
    const data = parse(CustomerCreateRequest, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const ownerId = data.ownerId !== undefined ? data.ownerId : actor.userId
      if (ownerId) await assertAssignable(tx, actor, reach, ownerId)
      else if (reach !== 'all') throw invalid('ownerId', 'is required', 'REQUIRED')
      const values = this.columns(data)
      if (this.checksDuplicates(data.allowDuplicate)) await assertNoDuplicate(tx, 'customer', values, this.scope(actor), undefined, (i) => this.deps.pii.indexesOf(i))
      const row = await insertUnique(tx, { ...values, name: data.name, ownerId })
      if (row.consent) await recordCustomerConsents(tx, actionContext(actor), [{ customerId: row.id, consent: row.consent }])
      const view = this.toView(actor, row)
      audit({ action: 'customer.created', entityType: 'customer', entityId: row.id, changes: this.auditView(row) })
      emit({ type: 'customer.created', entityType: 'customer', entityId: row.id, data: { customer: this.auditView(row) } })
      return view
    })
  }

  /** Changes the given fields; with expectedVersion, refuses a stale write (412 / STALE_VERSION). */
  async update(actor: Actor, id: string, input: unknown): Promise<Customer> {
    return this.applyUpdate(actor, id, parse(CustomerUpdate, input), false)
  }

  /**
   * PUT by the caller's externalId: creates the customer, or sets the given fields on the
   * one that has it (reviving it if it was deleted). Concurrent upserts converge on one row.
   */
  async upsertByExternalId(actor: Actor, externalId: string, input: unknown): Promise<{ customer: Customer; created: boolean }> {
    authorize(actor, 'customers', 'write')
    const data = parse(CustomerCreateRequest, { ...(input as object), externalId })
    // An erased person does not come back by their old externalId (docs/privacy.md, Erasure).
    await refuseErased(this.deps.db, this.deps.pii, 'customer', externalId)
    for (let attempt = 0; ; attempt++) {
      const existing = await repo.byExternalId(this.deps.db, externalId)
      // A merged customer's externalId lands on the survivor; only a plain delete is revived.
      if (existing?.mergedIntoId) {
        const { externalId: _e, ...rest } = data
        const survivor = await this.survivorOf(existing.mergedIntoId)
        return { customer: await upsertUpdate('customer', 'Customer', [survivor], () => this.applyUpdate(actor, survivor, rest, false)), created: false }
      }
      if (existing) return { customer: await upsertUpdate('customer', 'Customer', [existing.id], () => this.applyUpdate(actor, existing.id, data, true)), created: false }
      try {
        return { customer: await this.create(actor, data), created: true }
      } catch (err) {
        // Lost a race with a concurrent upsert of the same externalId: update that one.
        if (attempt > 0 || !(err instanceof CrmError && err.code === 'CRM_ERR_CONFLICT' && err.fieldErrors[0]?.code !== 'DUPLICATE')) throw err
      }
    }
  }

  /** Follows a chain of merges to the customer that absorbed them all. */
  private async survivorOf(id: string): Promise<string> {
    for (let hops = 0; hops < 20; hops++) {
      const [row] = await repo.byIdsIncludingDeleted(this.deps.db, [id])
      if (!row?.mergedIntoId) return id
      id = row.mergedIntoId
    }
    return id
  }

  private async applyUpdate(actor: Actor, id: string, data: CustomerUpdate, revive: boolean): Promise<Customer> {
    const reach = authorize(actor, 'customers', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      // A revived customer is recounted: like a merge, share the scoring edge lock before any row lock.
      if (revive) await shareEdgeLock(tx)
      const values = this.columns(data)
      // The values' locks before the row lock, as an import chunk takes them (common/duplicates.ts).
      const checked = this.checksDuplicates(data.allowDuplicate) && isUuid(id)
      if (checked) await lockContacts(tx, 'customer', values)
      const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write'), revive) : undefined
      if (!before) throw notFound('Customer', id)
      if (data.expectedVersion !== undefined && before.version !== data.expectedVersion) {
        throw staleVersion('Customer', data.expectedVersion, before.version)
      }
      if (data.ownerId && data.ownerId !== before.ownerId) await assertAssignable(tx, actor, reach, data.ownerId)
      if (data.ownerId === null && reach !== 'all') throw invalid('ownerId', 'cannot be cleared', 'REQUIRED')
      // Only a phone or email that changes is checked: a record keeps what it already had.
      if (checked) {
        const changed = { phoneIdx: values.phoneIdx !== before.phoneIdx ? values.phoneIdx : null, emailIdx: values.emailIdx !== before.emailIdx ? values.emailIdx : null }
        const match = await findDuplicate(tx, 'customer', changed, this.scope(actor), id, (i) => this.deps.pii.indexesOf(i))
        if (match) throw duplicateError('customer', match)
      }
      const after = await updateUnique(tx, id, { ...values, ...(revive ? { deletedAt: null } : {}) })
      // Back from a delete: scored again from their orders.
      if (revive && before.deletedAt) await recountCustomers(tx, [id])
      const changes = withContactChanges(changedFields(this.auditView(before), this.auditView(after), auditedFields), before, after)
      if ('consent' in changes && after.consent) await recordCustomerConsents(tx, actionContext(actor), [{ customerId: id, consent: after.consent }])
      if (Object.keys(changes).length > 0) {
        audit({ action: 'customer.updated', entityType: 'customer', entityId: id, changes })
        emit({ type: 'customer.updated', entityType: 'customer', entityId: id, data: { id, version: after.version, changes } })
      }
      return this.toView(actor, after)
    })
  }

  /** Soft delete: the record leaves every list but its history stays. */
  async delete(actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    authorize(actor, 'customers', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      // Its scores go too (the recount below): the edge lock before the row lock, so a running recompute and this cannot deadlock.
      await shareEdgeLock(tx)
      const before = isUuid(id) ? await repo.lock(tx, id, this.scope(actor, 'write')) : undefined
      if (!before) throw notFound('Customer', id)
      if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Customer', expectedVersion, before.version)
      await repo.update(tx, id, { deletedAt: new Date() })
      await recountCustomers(tx, [id])
      audit({ action: 'customer.deleted', entityType: 'customer', entityId: id })
      return { id }
    })
  }

  toView(actor: Actor, row: CustomerRow): Customer {
    return customerView(this.deps.pii, actor, row)
  }

  /** The customer as audit entries and events carry it: personal data masked, never clear. */
  auditView(row: CustomerRow) {
    return customerAuditView(row)
  }

  /** Whether this write checks for duplicates: the configured policy, unless the caller allows them. */
  private checksDuplicates(allowDuplicate: boolean | undefined): boolean {
    return this.deps.config.DUPLICATE_POLICY === 'reject' && allowDuplicate !== true
  }

  private columns(data: CustomerUpdate): Partial<CustomerInsert> {
    const { phone, email, idNumber, expectedVersion: _v, allowDuplicate: _a, ...plain } = data
    return { ...plain, ...sealContact(this.deps.pii, { phone, email }), ...sealIdNumber(this.deps.pii, idNumber) }
  }

}

