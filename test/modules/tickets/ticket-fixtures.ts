import type { TestApp } from '../../helper.js'

export const TICKET = `id status priority category channel subject customerId assigneeId queueTeamId routedVia version reopenCount resolvedAt closedAt createdAt
  sla { firstResponseMinutes resolutionMinutes firstResponseDueAt resolutionDueAt firstRespondedAt firstResponseBusinessMinutes resolutionBusinessMinutes paused }`
export const CREATE = `mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { ${TICKET} } trackingToken userErrors { field message code } } }`
export const STATUS = `mutation($id: ID!, $i: ChangeTicketStatusInput!) { changeTicketStatus(id: $id, input: $i) { ticket { ${TICKET} } userErrors { field message code } } }`
export const COMMENT = `mutation($id: ID!, $i: AddTicketCommentInput!) { addTicketComment(ticketId: $id, input: $i) { comment { id visibility authorKind activityId } ticket { ${TICKET} } userErrors { field code } } }`
export const UPDATE = `mutation($id: ID!, $i: UpdateTicketInput!) { updateTicket(id: $id, input: $i) { ticket { ${TICKET} } userErrors { field message code } } }`

/** Every day, all day: business minutes equal wall-clock minutes, so due times are checkable in real time. */
export async function roundTheClock(ctx: TestApp): Promise<void> {
  await ctx.sql(`update working_calendars set working_days = '{1,2,3,4,5,6,7}', intervals = '[[0,1440]]'::jsonb where key = 'default'`)
}

export async function customer(ctx: TestApp, token: string, name = '工单客户'): Promise<string> {
  const r = await ctx.gql(token, 'mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { customer { id } userErrors { code } } }', { i: { name } })
  if (!r.data?.createCustomer?.customer) throw new Error(JSON.stringify(r))
  return r.data.createCustomer.customer.id
}

export async function openTicket(ctx: TestApp, token: string, input: Record<string, unknown>) {
  const r = await ctx.gql(token, CREATE, { i: { channel: 'phone', category: 'repair', subject: '空调不制冷', ...input } })
  if (!r.data?.createTicket?.ticket) throw new Error(JSON.stringify(r))
  return { ticket: r.data.createTicket.ticket, token: r.data.createTicket.trackingToken as string }
}

export async function move(ctx: TestApp, token: string, id: string, status: string, note?: string) {
  const r = await ctx.gql(token, STATUS, { id, i: { status, ...(note ? { note } : {}) } })
  return r.data.changeTicketStatus
}

export const MIN = 60_000
export const ms = (iso: string) => new Date(iso).getTime()
