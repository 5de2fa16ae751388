import { and, eq, isNull } from 'drizzle-orm'
import type { Tx } from '../../db/client.js'
import { customers } from '../../db/schema/customers.js'
import { opportunities } from '../../db/schema/opportunities.js'
import { orders } from '../../db/schema/orders.js'
import { teams } from '../../db/schema/teams.js'
import { users } from '../../db/schema/users.js'
import type { SQL } from 'drizzle-orm'
import { invalid } from '../../errors.js'
import { ticketAgentRoles } from '../../rules/ticket-routing.js'


/** The live customer the ticket is for (one the caller may see), with its tier. */
export async function customerFor(tx: Tx, customerId: string, scope: SQL | undefined) {
  const [row] = await tx.select({ id: customers.id, tier: customers.tier, ownerId: customers.ownerId }).from(customers)
    .where(and(eq(customers.id, customerId), isNull(customers.deletedAt), isNull(customers.mergedIntoId), scope))
  if (!row) throw invalid('customerId', 'is not a customer you can see', 'UNKNOWN_CUSTOMER')
  return row
}

/** An order or opportunity named on a ticket must be the same customer's. */
export async function assertCustomerRecords(tx: Tx, customerId: string, refs: { orderId?: string | null; opportunityId?: string | null }): Promise<void> {
  if (refs.orderId) {
    const [row] = await tx.select({ customerId: orders.customerId }).from(orders).where(eq(orders.id, refs.orderId))
    if (!row || row.customerId !== customerId) throw invalid('orderId', "is not one of the customer's orders", 'UNKNOWN_ORDER')
  }
  if (refs.opportunityId) {
    const [row] = await tx.select({ customerId: opportunities.customerId }).from(opportunities)
      .where(and(eq(opportunities.id, refs.opportunityId), isNull(opportunities.deletedAt)))
    if (!row || row.customerId !== customerId) throw invalid('opportunityId', "is not one of the customer's opportunities", 'UNKNOWN_OPPORTUNITY')
  }
}

/** An assignee is an active user who works tickets: a service agent or a manager, as for routing rules (src/rules/ticket-routing.ts). */
export async function assertTicketWorker(tx: Tx, userId: string): Promise<{ teamId: string | null }> {
  const [user] = await tx.select({ role: users.role, active: users.active, teamId: users.teamId }).from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)))
  if (!user) throw invalid('assigneeId', 'is not a known user', 'UNKNOWN_USER')
  if (!user.active) throw invalid('assigneeId', 'is a deactivated user', 'INACTIVE_USER')
  if (!ticketAgentRoles.has(user.role)) throw invalid('assigneeId', `has role ${user.role}, which may not work tickets (service or manager)`, 'CANNOT_WORK_TICKETS')
  return { teamId: user.teamId }
}

export async function assertTeam(tx: Tx, teamId: string): Promise<void> {
  const [team] = await tx.select({ id: teams.id }).from(teams).where(and(eq(teams.id, teamId), isNull(teams.deletedAt)))
  if (!team) throw invalid('queueTeamId', 'is not a known team', 'UNKNOWN_TEAM')
}
