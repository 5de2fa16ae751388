import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { customerMerges } from '../../db/schema/customer-merges.js'
import { customers } from '../../db/schema/customers.js'
import { users } from '../../db/schema/users.js'
import { CrmError, forbidden, invalid, notFound } from '../../errors.js'
import { actionContext, type Actor, type Role } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { withinReach } from '../auth/reach.js'
import { assertAssignable } from '../common/owners.js'
import { parse } from '../common/validate.js'
import { CustomersService, type Customer } from '../customers/customers.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { absorb, lockCustomers, moveReferences } from './ownership.merge.js'
import { mergeLevels, moveLoyalty } from '../loyalty/loyalty-merge.js'
import { recountCustomers, shareEdgeLock } from '../scoring/scoring.aggregates.js'
import { CustomerMerge, OwnershipTransfer, transferableEntities, type TransferCounts } from './ownership.schemas.js'
import { transferers } from './ownership.transfer.js'

const transferRoles: ReadonlySet<Role> = new Set(['admin', 'manager'])
const mergeRoles: ReadonlySet<Role> = new Set(['admin', 'manager', 'integration', 'service'])
const entityTypes = { customers: 'customer', leads: 'lead', opportunities: 'opportunity', tasks: 'task', referrers: 'referrer' } as const

const userError = (code: string, field: string | null, message: string) =>
  new CrmError('CRM_ERR_INVALID_TRANSITION', message, [{ field, message, code }])

/** Moving records between owners and customers: hand-overs and merges of duplicates. */
export class OwnershipService {
  private readonly customers: CustomersService
  constructor(private readonly deps: ServiceDeps) {
    this.customers = new CustomersService(deps)
  }

  /**
   * Hands a departing rep's customers, leads, opportunities, tasks and referrers (as their
   * relationship owner, which referral routing reads) to another user, in one transaction.
   */
  async transfer(actor: Actor, input: unknown): Promise<TransferCounts> {
    if (!transferRoles.has(actor.role)) throw forbidden('Only admins and managers may transfer ownership')
    const data = parse(OwnershipTransfer, input)
    const entities = data.entities ?? [...transferableEntities]
    for (const e of entities) authorize(actor, e, 'write')
    if (data.fromUserId === data.toUserId) throw invalid('toUserId', 'must differ from fromUserId', 'SAME_USER')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const [from] = await tx.select({ id: users.id }).from(users).where(and(eq(users.id, data.fromUserId), isNull(users.deletedAt)))
      if (!from) throw invalid('fromUserId', 'is not a known user', 'UNKNOWN_USER')
      await assertAssignable(tx, actor, 'all', data.toUserId, 'toUserId')
      const request = { fromUserId: data.fromUserId, toUserId: data.toUserId, onlyOpen: data.onlyOpen ?? true, actorId: actor.userId, at: new Date() }
      const counts: TransferCounts = { customers: 0, leads: 0, opportunities: 0, tasks: 0, referrers: 0 }
      for (const entity of entities) {
        const moved = await transferers[entity](tx, request)
        const ids = moved.map((m) => m.id)
        counts[entity] = ids.length
        audit({
          action: 'ownership.transferred', entityType: entityTypes[entity], entityId: null,
          changes: { fromUserId: data.fromUserId, toUserId: data.toUserId, onlyOpen: request.onlyOpen, count: ids.length, ids }
        })
        // Webhook consumers mirror referrers (their owner included) from referrer.updated.
        if (entity === 'referrers') {
          const changes = { ownerId: { from: data.fromUserId, to: data.toUserId } }
          for (const m of moved) emit({ type: 'referrer.updated', entityType: 'referrer', entityId: m.id, data: { id: m.id, source: 'ownership_transfer', version: m.version, changes } })
        }
      }
      emit({ type: 'ownership.transferred', entityType: 'user', entityId: data.fromUserId, data: { fromUserId: data.fromUserId, toUserId: data.toUserId, onlyOpen: request.onlyOpen, counts } })
      return counts
    })
  }

  /**
   * Folds duplicate customers into one survivor: everything that pointed at them moves,
   * the survivor fills its gaps from them, and they leave every list (kept for history).
   */
  async mergeCustomers(actor: Actor, survivorId: string, input: unknown): Promise<{ customer: Customer; mergedIds: string[]; moved: Record<string, number> }> {
    if (!mergeRoles.has(actor.role)) throw forbidden('Only admins, managers, integrations and service staff may merge customers')
    const reach = authorize(actor, 'customers', 'write')
    const { mergedIds } = parse(CustomerMerge, input)
    if (mergedIds.includes(survivorId)) throw invalid('mergedIds', 'cannot include the survivor itself', 'SELF_MERGE')
    return runAction(this.deps.db, actionContext(actor), async (action) => {
      const { tx, audit, emit } = action
      // Orders of any date move: taken before any row lock, so a recompute cannot deadlock with this.
      await shareEdgeLock(tx)
      const rows = new Map((await lockCustomers(tx, [survivorId, ...mergedIds])).map((r) => [r.id, r]))
      const owners = await tx.select({ id: users.id, teamId: users.teamId }).from(users)
        .where(inArray(users.id, [...rows.values()].map((r) => r.ownerId).filter((id): id is string => id !== null)))
      const teamOf = new Map(owners.map((o) => [o.id, o.teamId]))
      for (const id of [survivorId, ...mergedIds]) {
        const row = rows.get(id)
        if (!row || !withinReach(actor, reach, row.ownerId, row.ownerId ? teamOf.get(row.ownerId) ?? null : null)) throw notFound('Customer', id)
        if (row.mergedIntoId) throw userError('ALREADY_MERGED', id === survivorId ? 'survivorId' : 'mergedIds', `Customer ${id} was already merged into ${row.mergedIntoId}`)
        if (row.deletedAt) throw notFound('Customer', id)
        // A merge fills the survivor's gaps from the merged (phone, email, externalId): an erased person would come back.
        if (row.erasedAt) throw userError('ERASED', id === survivorId ? 'survivorId' : 'mergedIds', `Customer ${id} was erased (personal data destroyed); it cannot be merged`)
      }
      const survivor = rows.get(survivorId)!
      const merged = mergedIds.map((id) => rows.get(id)!)
      const at = new Date()
      const movedBy = await moveReferences(tx, survivorId, mergedIds, at)
      for (const [id, counts] of await moveLoyalty(tx, survivorId, mergedIds, at)) Object.assign(movedBy.get(id)!, counts)
      const filled = absorb(survivor, merged)
      await tx.update(customers).set({ deletedAt: at, mergedIntoId: survivorId, version: sql`${customers.version} + 1`, updatedAt: at, ...(filled.externalId ? { externalId: null } : {}) })
        .where(inArray(customers.id, mergedIds))
      // After the merged are marked: the survivor is recounted with their orders, their own scores go.
      await recountCustomers(tx, [survivorId, ...mergedIds])
      // After the orders moved: the survivor's member level counts them.
      await mergeLevels(action, survivorId, mergedIds, at)
      const [after] = await tx.update(customers).set({ ...filled, version: sql`${customers.version} + 1`, updatedAt: at })
        .where(eq(customers.id, survivorId)).returning()
      await tx.insert(customerMerges).values(merged.map((m) => ({
        survivorId, mergedId: m.id, mergedById: actor.userId, moved: movedBy.get(m.id)!, mergedSnapshot: this.snapshot(m), at
      })))
      const moved: Record<string, number> = {}
      for (const counts of movedBy.values()) for (const [k, n] of Object.entries(counts)) moved[k] = (moved[k] ?? 0) + n
      const filledFields = Object.keys(filled).filter((k) => !/(Enc|Idx)$/.test(k)).map((k) => k.replace(/Masked$/, ''))
      for (const m of merged) audit({ action: 'customer.merged', entityType: 'customer', entityId: m.id, changes: { survivorId, moved: movedBy.get(m.id) } })
      audit({ action: 'customer.merged', entityType: 'customer', entityId: survivorId, changes: { mergedIds, moved, filledFields } })
      emit({ type: 'customer.merged', entityType: 'customer', entityId: survivorId, data: { survivorId, mergedIds, moved, filledFields, version: after.version } })
      return { customer: this.customers.toView(actor, after), mergedIds, moved }
    })
  }

  /** The merged customer as it was, personal data masked: enough to explain the merge later. */
  private snapshot(row: typeof customers.$inferSelect): Record<string, unknown> {
    const { phoneEnc: _pe, phoneIdx: _pi, phoneMasked, emailEnc: _ee, emailIdx: _ei, emailMasked, idNumberEnc: _ie, idNumberIdx: _ii, idNumberMasked, ...rest } = row
    return { ...rest, phone: phoneMasked, email: emailMasked, idNumber: idNumberMasked }
  }
}
