import { sql } from 'drizzle-orm'
import { Type, type Static } from '@sinclair/typebox'
import { uuidv7 } from 'uuidv7'
import type { Action } from '../../db/action.js'
import { copyIntoTx, copyLine } from '../../db/copy.js'
import { rows as resultRows } from '../../db/rows.js'
import { forbidden, invalid } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { DateTimeString, ExternalId, Nullable, StringEnum, Text, Uuid } from '../common/schemas.js'
import { newToken } from '../common/tokens.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { ticketRoutingRepository } from '../tickets/routing/ticket-routing.repository.js'
import { ticketStatuses } from '../../rules/ticket-status.js'
import { CategoryKey, customerTiers, ticketChannels, ticketPriorities } from '../tickets/tickets.schemas.js'
import { dropStaged, findProblems } from './import-checks.js'
import { bit, byExternalId, insertStatement, isoTime, stagingColumns, stagingDdl, updateStatement, type UpsertSpec } from './import-table.js'
import { importedSlaClocks } from './import-ticket-sla.js'
import { ChunkRace, type EntityImport, type RowError, type StagedRow } from './import-types.js'
import { given } from './import-values.js'

/**
 * Historical tickets by externalId (docs/import-export.md): status and timestamps as
 * given, a fresh tracking token hash per new ticket (the token itself is never shown),
 * no routing (`routedVia` is `import`), SLA clocks only for tickets still open. Set-based,
 * like customers: COPY into a staging table, checks in one query, one upsert.
 */

export const TicketImportRecord = Type.Object({
  externalId: ExternalId,
  customerId: Type.Optional(Uuid),
  customerExternalId: Type.Optional(ExternalId),
  orderId: Type.Optional(Nullable(Uuid)),
  channel: StringEnum(ticketChannels),
  category: CategoryKey,
  priority: Type.Optional(StringEnum(ticketPriorities)),
  subject: Text(300),
  description: Type.Optional(Nullable(Type.String({ maxLength: 20000 }))),
  status: Type.Optional(StringEnum(ticketStatuses)),
  assigneeId: Type.Optional(Nullable(Uuid)),
  queueTeamId: Type.Optional(Nullable(Uuid)),
  customerTier: Type.Optional(Nullable(StringEnum(customerTiers))),
  createdAt: Type.Optional(DateTimeString),
  firstRespondedAt: Type.Optional(Nullable(DateTimeString)),
  resolvedAt: Type.Optional(Nullable(DateTimeString)),
  closedAt: Type.Optional(Nullable(DateTimeString))
}, { additionalProperties: false })
export type TicketImportRecord = Static<typeof TicketImportRecord>

export const ticketSpec: UpsertSpec = {
  table: 'tickets',
  staging: 'import_tickets',
  entityType: 'ticket',
  fields: [
    { key: 'externalId', column: 'external_id', type: 'text' },
    { key: 'customerId', column: 'customer_id', type: 'uuid' },
    { key: 'orderId', column: 'order_id', type: 'uuid' },
    { key: 'channel', column: 'channel', type: 'ticket_channel' },
    { key: 'category', column: 'category', type: 'text' },
    { key: 'priority', column: 'priority', type: 'ticket_priority' },
    { key: 'subject', column: 'subject', type: 'text' },
    { key: 'description', column: 'description', type: 'text' },
    { key: 'status', column: 'status', type: 'ticket_status' },
    { key: 'assigneeId', column: 'assignee_id', type: 'uuid' },
    { key: 'queueTeamId', column: 'queue_team_id', type: 'uuid' },
    { key: 'customerTier', column: 'customer_tier', type: 'customer_tier' },
    { key: 'createdAt', column: 'created_at', type: 'timestamptz' },
    { key: 'firstRespondedAt', column: 'first_responded_at', type: 'timestamptz' },
    { key: 'resolvedAt', column: 'resolved_at', type: 'timestamptz' },
    { key: 'closedAt', column: 'closed_at', type: 'timestamptz' },
    // Never given by a row (so an update leaves them alone): a new ticket's values only.
    { key: 'routedVia', column: 'routed_via', type: 'text' },
    { key: 'trackingTokenHash', column: 'tracking_token_hash', type: 'text' },
    { key: 'createdById', column: 'created_by_id', type: 'uuid' },
    { key: 'firstResponseMinutes', column: 'first_response_minutes', type: 'int' },
    { key: 'resolutionMinutes', column: 'resolution_minutes', type: 'int' },
    { key: 'firstResponseDueAt', column: 'first_response_due_at', type: 'timestamptz' },
    { key: 'resolutionDueAt', column: 'resolution_due_at', type: 'timestamptz' }
  ],
  // The ticket as staff read it; never the tracking token hash.
  viewDoc: (a) => `jsonb_build_object('id', ${a}.id, 'externalId', ${a}.external_id, 'version', ${a}.version,
    'createdAt', ${isoTime(`${a}.created_at`)}, 'updatedAt', ${isoTime(`${a}.updated_at`)}, 'customerId', ${a}.customer_id,
    'orderId', ${a}.order_id, 'opportunityId', ${a}.opportunity_id, 'channel', ${a}.channel, 'category', ${a}.category,
    'priority', ${a}.priority, 'subject', ${a}.subject, 'description', ${a}.description, 'status', ${a}.status,
    'assigneeId', ${a}.assignee_id, 'queueTeamId', ${a}.queue_team_id, 'routedVia', ${a}.routed_via, 'customerTier', ${a}.customer_tier,
    'firstRespondedAt', ${isoTime(`${a}.first_responded_at`)}, 'resolvedAt', ${isoTime(`${a}.resolved_at`)}, 'closedAt', ${isoTime(`${a}.closed_at`)},
    'firstResponseDueAt', ${isoTime(`${a}.first_response_due_at`)}, 'resolutionDueAt', ${isoTime(`${a}.resolution_due_at`)})`
}

// The customer may come as its externalId: a staging column of its own, resolved to customer_id.
const COLUMNS = [...stagingColumns(ticketSpec), 'customer_external_id']
const CUSTOMER = bit(ticketSpec, 'customerId')
const TIER = bit(ticketSpec, 'customerTier')

export const ticketColumns = {
  externalId: 'given', customerId: 'given', customerExternalId: 'given', orderId: 'text', channel: 'given', category: 'given',
  priority: 'given', subject: 'given', description: 'text', status: 'given', assigneeId: 'text', queueTeamId: 'text',
  customerTier: 'text', createdAt: 'given', firstRespondedAt: 'text', resolvedAt: 'text', closedAt: 'text'
} as const

const problems: Record<string, { field: string; code: string; message: string }> = {
  UNKNOWN_CUSTOMER: { field: 'customerId', code: 'UNKNOWN_CUSTOMER', message: 'is not a known customer' },
  UNKNOWN_CUSTOMER_EXTERNAL: { field: 'customerExternalId', code: 'UNKNOWN_CUSTOMER', message: 'is not a known customer' },
  CUSTOMER_REQUIRED: { field: 'customerId', code: 'REQUIRED', message: 'give customerId or customerExternalId for a new ticket' },
  CUSTOMER_FIXED: { field: 'customerId', code: 'IMMUTABLE', message: "cannot change: a ticket stays with its customer" },
  UNKNOWN_ORDER: { field: 'orderId', code: 'UNKNOWN_REFERENCE', message: "is not an order of the ticket's customer" },
  UNKNOWN_USER: { field: 'assigneeId', code: 'UNKNOWN_USER', message: 'is not a known user' },
  UNKNOWN_TEAM: { field: 'queueTeamId', code: 'UNKNOWN_REFERENCE', message: 'is not a known team' }
}

const tokenHash = () => newToken().hash
const at = (v: string | null | undefined) => (v ? new Date(v) : null)

/** Status and timestamps of one row must tell one story (the ticket-status rule's order). */
function checkTimeline(d: TicketImportRecord, now: Date): void {
  const created = at(d.createdAt) ?? now
  const status = d.status ?? 'open'
  const times = { createdAt: at(d.createdAt), firstRespondedAt: at(d.firstRespondedAt), resolvedAt: at(d.resolvedAt), closedAt: at(d.closedAt) }
  for (const [field, time] of Object.entries(times)) {
    if (time && time.getTime() > now.getTime()) throw invalid(field, 'is in the future', 'IN_FUTURE')
    if (time && field !== 'createdAt' && time < created) throw invalid(field, 'is before createdAt', 'BEFORE_CREATED')
  }
  if (times.resolvedAt && status !== 'resolved' && status !== 'closed') throw invalid('resolvedAt', 'is only for a resolved or closed ticket', 'NOT_RESOLVED')
  if (times.closedAt && status !== 'closed') throw invalid('closedAt', 'is only for a closed ticket', 'NOT_CLOSED')
  if (times.closedAt && times.resolvedAt && times.closedAt < times.resolvedAt) throw invalid('closedAt', 'is before resolvedAt', 'BEFORE_RESOLVED')
}

/** The tickets import for one actor: historical tickets, set-based per chunk. Needs write reach over every ticket. */
export function ticketsImport(deps: ServiceDeps, actor: Actor): EntityImport {
  if (authorize(actor, 'tickets', 'write') !== 'all') throw forbidden('Importing tickets takes write reach over every ticket')
  const ctx = actionContext(actor)
  return {
    columns: ticketColumns,

    stage(input, row): StagedRow {
      const data = parse(TicketImportRecord, input)
      if (data.customerId && data.customerExternalId) throw invalid('customerId', 'give exactly one of customerId and customerExternalId', 'ONE_CUSTOMER')
      const now = new Date()
      checkTimeline(data, now)
      const status = data.status ?? 'open'
      const mask = given(ticketSpec, data) | (data.customerExternalId ? CUSTOMER : 0)
      const line = copyLine([
        row, uuidv7(), uuidv7(), uuidv7(), mask, data.externalId, data.customerId ?? null, data.orderId ?? null, data.channel,
        data.category, data.priority ?? 'normal', data.subject.trim(), data.description ?? null, status,
        data.assigneeId ?? null, data.queueTeamId ?? null, data.customerTier ?? null, data.createdAt ?? now.toISOString(),
        data.firstRespondedAt ?? null, data.resolvedAt ?? (status === 'resolved' || status === 'closed' ? data.closedAt ?? data.createdAt ?? now.toISOString() : null),
        data.closedAt ?? (status === 'closed' ? data.resolvedAt ?? data.createdAt ?? now.toISOString() : null),
        'import', tokenHash(), actor.userId, null, null, null, null, data.customerExternalId ?? null
      ])
      return { row, externalId: data.externalId, line, input: data }
    },

    async apply({ tx }: Action, rows) {
      // Categories first, in memory: the report names the allowed keys. A known key may be inactive (history keeps it).
      const known = new Set((await ticketRoutingRepository.categories(tx)).map((c) => c.key))
      const rejected: RowError[] = []
      const good = rows.filter((r) => {
        if (known.has((r.input as TicketImportRecord).category)) return true
        rejected.push({ row: r.row, field: 'category', code: 'UNKNOWN_CATEGORY', message: `is not a ticket category (known: ${[...known].join(', ')})` })
        return false
      })
      if (good.length === 0) return { created: 0, updated: 0, unchanged: 0, rejected, later: [] }
      await tx.execute(sql`set local jit = off`)
      await tx.execute(stagingDdl(ticketSpec))
      await tx.execute(sql`alter table import_tickets add column customer_external_id text`)
      await copyIntoTx(tx, ticketSpec.staging, COLUMNS, good.map((r) => r.line))
      await tx.execute(sql`analyze import_tickets`)
      await tx.execute(sql.raw(`select count(*) from import_tickets s cross join ${byExternalId('tickets', 'for update')} locked`))
      await tx.execute(sql`update import_tickets s set customer_id = c.id from customers c
        where s.customer_external_id is not null and c.external_id = s.customer_external_id and c.deleted_at is null`)
      const found = await findProblems(tx, sql.raw(`import_tickets s left join ${byExternalId('tickets')} tickets on true`), [
        sql.raw(`case when s.customer_external_id is not null and s.customer_id is null then 'UNKNOWN_CUSTOMER_EXTERNAL'
          when s.customer_id is not null and not exists (select 1 from customers c where c.id = s.customer_id and c.deleted_at is null offset 0) then 'UNKNOWN_CUSTOMER'
          when tickets.id is null and s.customer_id is null then 'CUSTOMER_REQUIRED'
          when tickets.id is not null and s.given & ${CUSTOMER} <> 0 and s.customer_id is distinct from tickets.customer_id then 'CUSTOMER_FIXED' end`),
        sql.raw(`case when s.order_id is not null and not exists (select 1 from orders o where o.id = s.order_id
          and o.customer_id = coalesce(s.customer_id, tickets.customer_id) offset 0) then 'UNKNOWN_ORDER' end`),
        sql.raw(`case when s.assignee_id is not null and not exists (select 1 from users u where u.id = s.assignee_id and u.deleted_at is null offset 0) then 'UNKNOWN_USER' end`),
        sql.raw(`case when s.queue_team_id is not null and not exists (select 1 from teams t where t.id = s.queue_team_id and t.deleted_at is null offset 0) then 'UNKNOWN_TEAM' end`)
      ])
      await dropStaged(tx, ticketSpec.staging, found.map((f) => f.row))
      // A new ticket without a tier takes its customer's, as the SLA policy and routing read it.
      await tx.execute(sql.raw(`update import_tickets s set customer_tier = c.tier from customers c where c.id = s.customer_id and s.given & ${TIER} = 0`))
      await importedSlaClocks(tx, deps.config.REPORTING_TIMEZONE)
      const [updated] = await resultRows<{ matched: number; changed: number }>(tx, updateStatement(ticketSpec, ctx))
      const [inserted] = await resultRows<{ created: number; attempted: number }>(tx, insertStatement(ticketSpec, ctx))
      if (inserted.created !== inserted.attempted) throw new ChunkRace()
      await openingHistory(tx, ctx.actorType, ctx.actorId)
      return {
        created: inserted.created, updated: updated.changed, unchanged: updated.matched - updated.changed,
        rejected: [...rejected, ...found.map((f) => ({ row: f.row, ...(problems[f.problem] ?? { field: null, code: f.problem, message: 'is refused' }) }))],
        later: []
      }
    }
  }
}

/**
 * The status history of each new ticket (the SLA figures and reports read it): opened at
 * createdAt, then straight to its imported status: resolved at resolvedAt, closed at closedAt.
 * Only tickets this chunk created (their id is the staged one).
 */
async function openingHistory(tx: Action['tx'], actorType: string, actorId: string | null): Promise<void> {
  await tx.execute(sql`
    insert into ticket_status_changes (id, ticket_id, from_status, to_status, actor_type, actor_id, note, at)
    select crm_uuidv7(), t.id, e.from_status::ticket_status, e.to_status::ticket_status, ${actorType}, ${actorId}::uuid, 'imported', e.at
    from import_tickets s join tickets t on t.id = s.id
    cross join lateral (values
      (1, null, 'open', t.created_at),
      (2, 'open', case when t.status in ('resolved', 'closed') then 'resolved' else t.status::text end, coalesce(t.resolved_at, t.created_at)),
      (3, 'resolved', 'closed', coalesce(t.closed_at, t.resolved_at, t.created_at))
    ) as e(n, from_status, to_status, at)
    where e.n = 1 or (e.n = 2 and t.status <> 'open') or (e.n = 3 and t.status = 'closed')
    order by t.id, e.n`)
}

