import { sql } from 'drizzle-orm'
import type { Action, AuditInput, EventInput } from '../../db/action.js'
import { customers } from '../../db/schema/customers.js'
import { CrmError, invalid } from '../../errors.js'
import { toCrmError } from '../../http/problem.js'
import type { Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { reachFilter } from '../auth/reach.js'
import { parse } from '../common/validate.js'
import { correctOrder, insertOrReplay, resolveCustomer } from '../orders/orders.recording.js'
import { ordersRepository as repo } from '../orders/orders.repository.js'
import { OrderRecord } from '../orders/orders.schemas.js'
import { customerRef, orderData, OrdersService } from '../orders/orders.service.js'
import { scoringConfigOf } from '../scoring/scoring.service.js'
import type { ServiceDeps } from '../service-deps.js'
import { rowErrors, type EntityImport, type RowError, type StagedRow } from './import-types.js'

/**
 * Orders by externalId, as PUT /orders/by-external-id: a new externalId records the order
 * (attribution, the customer's RFM aggregates, order.recorded, and the incentives of a
 * referred customer's order), a known one corrects it. Each row runs the orders module's
 * own recording path inside the chunk's transaction, under a savepoint: a refused row rolls
 * back alone, and its audit entries and events are dropped with it.
 */

export const orderColumns = {
  externalId: 'given', customerId: 'given', customerExternalId: 'given', amount: 'integer', currency: 'given',
  paidAt: 'given', campaignId: 'text', note: 'text', attributes: 'object'
} as const

export function ordersImport(deps: ServiceDeps, actor: Actor): EntityImport {
  const reach = authorize(actor, 'orders', 'write')
  const scope = new OrdersService(deps).scope(actor, 'write')
  const windowDays = scoringConfigOf(deps.config).rfmWindow.days
  // Writers with less than unlimited reach record only for customers within it (as OrdersService).
  const within = reach === 'all' ? undefined : reachFilter(actor, reach, { owner: customers.ownerId })
  return {
    columns: orderColumns,

    // CSV carries the money as two columns; the single write takes { amount, currency }.
    fromCells({ amount, currency, ...rest }) {
      return { ...rest, ...(amount !== undefined || currency !== undefined ? { amount: { amount, ...(currency !== undefined ? { currency } : {}) } } : {}) }
    },

    stage(input, row): StagedRow {
      const data = parse(OrderRecord, input)
      if (!data.externalId) throw invalid('externalId', 'is required: an import upserts by it', 'REQUIRED')
      // The same refusals as the single write, before anything is written: two customer refs, a time off the calendar.
      customerRef(data)
      orderData(data, data.externalId)
      return { row, externalId: data.externalId, line: '', input: data }
    },

    async apply(action: Action, rows) {
      const outcome = { created: 0, updated: 0, unchanged: 0, rejected: [] as RowError[], later: [] as StagedRow[] }
      const now = new Date()
      for (const r of rows) {
        // Validated in stage(); read again here, so a chunk run twice (after a failure) needs nothing kept.
        const input = r.input as OrderRecord
        const data = orderData(input, input.externalId!)
        const ref = customerRef(input)
        const audits: AuditInput[] = []
        const events: EventInput[] = []
        try {
          const result = await action.tx.transaction(async (tx) => {
            const local: Action = { tx, audit: (e) => audits.push(e), emit: (e) => events.push(e) }
            const visible = within ? async (id: string) => (await tx.select({ id: customers.id }).from(customers).where(sql`${customers.id} = ${id} and ${within}`)).length > 0 : undefined
            const customer = await resolveCustomer(tx, ref, visible)
            let existing = await repo.lock(tx, { externalId: data.externalId! }, scope)
            if (!existing) {
              const recorded = await insertOrReplay(local, customer, data, now, windowDays)
              if (recorded.created) return 'created' as const
              existing = await repo.lock(tx, { id: recorded.row.id })
              if (!existing) throw new CrmError('CRM_ERR_CONFLICT', 'externalId: taken by an order you cannot change', [{ field: 'externalId', message: 'is used by an order you cannot change', code: 'TAKEN' }])
            }
            return (await correctOrder(local, existing, customer, data, undefined, now)) === existing ? 'unchanged' as const : 'updated' as const
          })
          outcome[result]++
          for (const a of audits) action.audit(a)
          for (const e of events) action.emit(e)
        } catch (err) {
          const crm = toCrmError(err)
          if (crm.status >= 500) throw err
          outcome.rejected.push(...(crm.fieldErrors.length ? rowErrors(r.row, crm.fieldErrors) : [{ row: r.row, field: null, code: crm.code, message: crm.message }]))
        }
      }
      return outcome
    }
  }
}
