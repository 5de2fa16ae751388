import { and, eq, isNull, ne } from 'drizzle-orm'
import { runAction } from '../../../db/action.js'
import type { Executor } from '../../../db/client.js'
import { slaPolicies } from '../../../db/schema/tickets.js'
import { CrmError, notFound, staleVersion, uniqueViolation } from '../../../errors.js'
import { actionContext, type Actor } from '../../auth/actor.js'
import { changedFields } from '../../common/changes.js'
import { asTaken } from '../../common/unique.js'
import { isUuid, parse } from '../../common/validate.js'
import type { ServiceDeps } from '../../service-deps.js'
import { slaPoliciesRepository as repo, type SlaPolicyRow } from './sla-policies.repository.js'
import { SlaPolicyCreate, SlaPolicyUpdate } from './ticket-sla.schemas.js'

export type SlaPolicy = Omit<SlaPolicyRow, 'deletedAt'>
const view = ({ deletedAt: _d, ...rest }: SlaPolicyRow): SlaPolicy => rest
const fields = ['externalId', 'priority', 'customerTier', 'firstResponseMinutes', 'resolutionMinutes', 'active'] as const

type Key = { priority: SlaPolicyRow['priority']; customerTier: SlaPolicyRow['customerTier'] }

/** A second live policy for one priority (and tier) is a typed CONFLICT naming the one that exists. */
function taken(key: Key, existingId?: string): CrmError {
  const what = key.customerTier ? `priority ${key.priority} and tier ${key.customerTier}` : `priority ${key.priority} without a tier`
  return new CrmError('CRM_ERR_CONFLICT', `An SLA policy for ${what} already exists`, [{
    field: key.customerTier ? 'customerTier' : 'priority', message: 'another SLA policy already has this priority and tier', code: 'SLA_POLICY_EXISTS',
    ...(existingId ? { existingId } : {})
  }])
}

async function existing(ex: Executor, key: Key, exceptId?: string): Promise<string | undefined> {
  const [row] = await ex.select({ id: slaPolicies.id }).from(slaPolicies).where(and(
    eq(slaPolicies.priority, key.priority), isNull(slaPolicies.deletedAt),
    key.customerTier ? eq(slaPolicies.customerTier, key.customerTier) : isNull(slaPolicies.customerTier),
    exceptId ? ne(slaPolicies.id, exceptId) : undefined
  ))
  return row?.id
}

/** The unique indexes decide a race the pre-check missed. */
function mapViolation(err: unknown, key: Key): unknown {
  const v = uniqueViolation(err)
  if (v && v.constraint.startsWith('sla_policies_priority')) return taken(key)
  return asTaken(err, 'SLA policy')
}

async function lock(ex: Executor, id: string, expectedVersion?: number): Promise<SlaPolicyRow> {
  const row = isUuid(id) ? await repo.byId(ex, id, true) : undefined
  if (!row) throw notFound('SlaPolicy', id)
  if (expectedVersion !== undefined && row.version !== expectedVersion) throw staleVersion('SlaPolicy', expectedVersion, row.version)
  return row
}

/** SLA targets as data (TicketSlaService delegates here); a policy applies to tickets opened after it changes. */
export const slaPoliciesAdmin = {
  async list(deps: ServiceDeps): Promise<SlaPolicy[]> {
    return (await repo.list(deps.db)).map(view)
  },

  async get(deps: ServiceDeps, id: string): Promise<SlaPolicy> {
    const row = isUuid(id) ? await repo.byId(deps.db, id) : undefined
    if (!row) throw notFound('SlaPolicy', id)
    return view(row)
  },

  async create(deps: ServiceDeps, actor: Actor, input: unknown): Promise<SlaPolicy> {
    const data = parse(SlaPolicyCreate, input)
    const key = { priority: data.priority, customerTier: data.customerTier ?? null }
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const other = await existing(tx, key)
      if (other) throw taken(key, other)
      const row = await repo.insert(tx, {
        ...key, firstResponseMinutes: data.firstResponseMinutes, resolutionMinutes: data.resolutionMinutes,
        active: data.active ?? true, externalId: data.externalId ?? null
      }).catch((err: unknown) => { throw mapViolation(err, key) })
      audit({ action: 'sla_policy.created', entityType: 'sla_policy', entityId: row.id, changes: view(row) })
      emit({ type: 'sla_policy.created', entityType: 'sla_policy', entityId: row.id, data: { policy: view(row) } })
      return view(row)
    })
  },

  async update(deps: ServiceDeps, actor: Actor, id: string, input: unknown): Promise<SlaPolicy> {
    const { expectedVersion, ...data } = parse(SlaPolicyUpdate, input)
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await lock(tx, id, expectedVersion)
      const key = { priority: data.priority ?? before.priority, customerTier: data.customerTier !== undefined ? data.customerTier : before.customerTier }
      const changes = changedFields(view(before), { ...view(before), ...data, ...key }, fields)
      if (Object.keys(changes).length === 0) return view(before)
      if (key.priority !== before.priority || key.customerTier !== before.customerTier) {
        const other = await existing(tx, key, id)
        if (other) throw taken(key, other)
      }
      const after = await repo.update(tx, id, { ...data, ...key }).catch((err: unknown) => { throw mapViolation(err, key) })
      audit({ action: 'sla_policy.updated', entityType: 'sla_policy', entityId: id, changes })
      emit({ type: 'sla_policy.updated', entityType: 'sla_policy', entityId: id, data: { id, version: after.version, changes } })
      return view(after)
    })
  },

  /** Soft delete: tickets opened later fall back to the tier-less policy (or none). */
  async remove(deps: ServiceDeps, actor: Actor, id: string, expectedVersion?: number): Promise<{ id: string }> {
    return runAction(deps.db, actionContext(actor), async ({ tx, audit, emit }) => {
      const before = await lock(tx, id, expectedVersion)
      await repo.update(tx, id, { deletedAt: new Date() })
      audit({ action: 'sla_policy.deleted', entityType: 'sla_policy', entityId: id, changes: { priority: before.priority, customerTier: before.customerTier } })
      emit({ type: 'sla_policy.deleted', entityType: 'sla_policy', entityId: id, data: { id, priority: before.priority, customerTier: before.customerTier } })
      return { id }
    })
  }
}
