import type { MessageContent } from './adapters/types.js'

/** The outbox event types staff can subscribe to (the partial index outbox_events_staff_pending_idx names the same). */
export const staffEventTypes = [
  'lead.assigned', 'lead.sla_breached', 'task.created', 'ticket.sla_breached', 'ticket.updated',
  'reward.created', 'reward.approved', 'survey.detractor'
] as const
export type StaffEventType = (typeof staffEventTypes)[number]

export type StaffEvent = { id: string; type: StaffEventType; entityId: string | null; data: Record<string, unknown> }

/** Who an event concerns (their subscriptions with scope `mine` or `team` hear of it), and teams it names. */
export type Concern = { userIds: string[]; teamIds: string[] }

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {})
const ids = (...values: unknown[]) => [...new Set(values.map(str).filter((v): v is string => v !== null))]
const PRIORITY_RANK: Record<string, number> = { low: 0, normal: 1, high: 2, urgent: 3 }

/**
 * Whom an event concerns, or null when it is no notification at all: a reward created
 * already approved (nothing awaits approval), a ticket update that neither changes the
 * assignee nor raises the priority.
 */
export function concernOf(e: StaffEvent): Concern | null {
  const d = e.data
  switch (e.type) {
    case 'lead.assigned': return { userIds: ids(d.toOwnerId), teamIds: [] }
    case 'lead.sla_breached': return { userIds: ids(d.ownerId, d.managerId), teamIds: [] }
    case 'task.created': return { userIds: ids(obj(d.task).assigneeId), teamIds: [] }
    case 'ticket.sla_breached': return { userIds: ids(d.assigneeId, d.managerId), teamIds: ids(d.queueTeamId) }
    case 'survey.detractor': return { userIds: ids(d.assigneeId), teamIds: [] }
    case 'reward.created': return obj(d.reward).status === 'pending' ? { userIds: [], teamIds: [] } : null
    case 'reward.approved': return { userIds: [], teamIds: [] }
    case 'ticket.updated': {
      const changes = obj(d.changes)
      const assignee = obj(changes.assigneeId)
      const priority = obj(changes.priority)
      const raised = (PRIORITY_RANK[String(priority.to)] ?? -1) > (PRIORITY_RANK[String(priority.from)] ?? 99)
      if (!('to' in assignee) && !raised) return null
      return { userIds: ids(assignee.to, obj(changes.assignee).to), teamIds: ids(obj(changes.queueTeamId).to) }
    }
  }
}

/** Phones and emails in free text (a task title naming a customer) masked as the masking rules do: 138****1234, z***@example.com. */
export function maskFreeText(text: string): string {
  return text
    .replace(/(?<!\d)(?:\+?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)/g, (_m, a: string, _b: string, c: string) => `${a}****${c}`)
    .replace(/([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, '$1***@$2')
}

/** Names the texts use: staff users by id (never a customer's contact data). */
export type Names = (userId: unknown) => string
/** A task's customer as a reminder names it: the name and the masked phone (never the clear one). */
export type CustomerLabel = (customerId: unknown) => string | null

/**
 * The built-in bilingual text of an event (Chinese first, then English), for a robot or an
 * email: `subject` and `text`. Personal data never appears in clear: ids, staff names, and
 * free text with phones and emails masked.
 */
export function staffContent(e: StaffEvent, name: Names, customer: CustomerLabel = () => null): MessageContent {
  const d = e.data
  const [zh, en, detail] = ((): [string, string, string] => {
    switch (e.type) {
      case 'lead.assigned': return ['线索已分配', 'Lead assigned', `线索 Lead ${str(d.id) ?? e.entityId} → ${name(d.toOwnerId)}${str(d.reason) ? ` (${str(d.reason)})` : ''}`]
      case 'lead.sla_breached': return ['线索首次联系超时', 'Lead first contact overdue', `线索 Lead ${str(d.id) ?? e.entityId}; 负责人 owner: ${name(d.ownerId)}; 截止 due: ${str(d.dueAt) ?? '-'}`]
      case 'task.created': {
        const t = obj(d.task)
        const who = customer(t.customerId)
        return ['新任务', 'New task', `${maskFreeText(str(t.title) ?? '')}${who ? `\n客户 customer: ${who}` : ''}\n执行人 assignee: ${name(t.assigneeId)}; 截止 due: ${str(t.dueAt) ?? '-'}`]
      }
      case 'ticket.sla_breached': return ['工单 SLA 超时', 'Ticket SLA breached', `工单 Ticket ${str(d.id) ?? e.entityId}; ${str(d.clock) ?? ''}; 优先级 priority: ${str(d.priority) ?? '-'}; 处理人 assignee: ${name(d.assigneeId)}`]
      case 'ticket.updated': {
        const c = obj(d.changes)
        const parts = [obj(c.priority).to ? `优先级 priority: ${String(obj(c.priority).from)} → ${String(obj(c.priority).to)}` : null, obj(c.assigneeId).to ? `处理人 assignee: ${name(obj(c.assigneeId).to)}` : null]
        return ['工单升级', 'Ticket escalated', `工单 Ticket ${str(d.id) ?? e.entityId}; ${parts.filter(Boolean).join('; ')}`]
      }
      case 'reward.created': return ['奖励待审批', 'Reward awaiting approval', rewardLine(obj(d.reward), e.entityId)]
      case 'reward.approved': return ['奖励已批准', 'Reward approved', rewardLine(obj(d.reward), e.entityId)]
      case 'survey.detractor': {
        const r = obj(d.response)
        return ['收到差评', 'Detractor survey answer', `评分 score: ${String(r.score ?? '-')}; 跟进人 follow-up: ${name(d.assigneeId)}${str(d.taskId) ? `; 任务 task ${str(d.taskId)}` : ''}`]
      }
    }
  })()
  const subject = `【${zh}】${en}`
  return { subject, title: subject, text: `${subject}\n${detail}` }
}

function rewardLine(r: Record<string, unknown>, entityId: string | null): string {
  const amount = typeof r.amount === 'number' ? `${(r.amount / 100).toFixed(2)} ${str(r.currency) ?? ''}`.trim() : '-'
  return `奖励 Reward ${str(r.id) ?? entityId}; ${str(r.rewardType) ?? ''} ${amount}; 受益方 beneficiary: ${str(r.beneficiaryType) ?? '-'}`
}
