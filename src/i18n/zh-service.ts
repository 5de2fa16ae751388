/**
 * Simplified Chinese for customer service messages (tickets, ticket routing and categories,
 * SLA calendars and policies, satisfaction surveys), spread into zhMessages (src/i18n/zh.ts).
 * Keys as there: `{}` for each interpolated value.
 */
export const zhServiceMessages: Record<string, string> = {
  // Tickets (docs/service.md).
  'Ticket: {}': '工单：{0}',
  'Ticket: the ticket is closed; reopen it first': '工单：工单已关闭，请先重新打开',
  'the ticket is closed; reopen it first': '工单已关闭，请先重新打开',
  'the ticket is already {}': '工单已是 {0} 状态',
  'a {} ticket cannot move to {} (allowed: {})': '{0} 状态的工单不能变为 {1}（允许：{2}）',
  'the ticket can be reopened only within {} days of its resolution': '工单只能在解决后 {0} 天内重新打开',
  "is not one of the customer's orders": '不是该客户的订单',
  "is not one of the customer's opportunities": '不是该客户的商机',
  'You may only assign tickets within your team': '您只能在本团队内分派工单',
  'You may only queue tickets for your team': '您只能把工单放入本团队的队列',
  // Ticket routing and categories (src/modules/tickets/routing/), ticket import (src/modules/bulk/import-tickets.ts).
  'give exactly one of assigneeId (an agent) or queueTeamId (a queue to rotate through)': '请只提供 assigneeId（客服人员）或 queueTeamId（轮流分配的队列）之一',
  'has role {}, which may not work tickets (service or manager)': '的角色为 {0}，不能处理工单（须为客服或经理）',
  'name no ticket category: {} (known: {})': '没有对应的工单类别：{0}（已有：{1}）',
  'is not an active ticket category (allowed: {})': '不是有效的工单类别（允许：{0}）',
  'is already used by another ticket category': '已被另一个工单类别使用',
  'key: another live ticket category has this key': 'key：已有另一个工单类别使用此键',
  'Only a role that may change every ticket may change ticket routing and categories': '只有可修改所有工单的角色才能修改工单分派规则和类别',
  'is before createdAt': '早于 createdAt',
  'is before resolvedAt': '早于 resolvedAt',
  'is only for a resolved or closed ticket': '仅适用于已解决或已关闭的工单',
  'is only for a closed ticket': '仅适用于已关闭的工单',
  'give exactly one of customerId and customerExternalId': '请只提供 customerId 和 customerExternalId 之一',
  'give customerId or customerExternalId for a new ticket': '新工单须提供 customerId 或 customerExternalId',
  'cannot change: a ticket stays with its customer': '不能修改：工单始终属于原客户',
  "is not an order of the ticket's customer": '不是该工单客户的订单',
  'is not a ticket category (known: {})': '不是工单类别（已有：{0}）',
  'Importing tickets takes write reach over every ticket': '导入工单需要对所有工单的写入权限',
  // SLA calendar and policies (docs/service.md, "SLA calendar"); the calendar checks come from src/rules/business-hours.ts.
  'working days are ISO weekdays 1 (Monday) to 7 (Sunday)': '工作日须为 ISO 星期 1（周一）到 7（周日）',
  'a working day is listed twice': '有工作日重复列出',
  'each interval is [start, end) minutes with 0 ≤ start < end ≤ 1440': '每个时段为 [开始, 结束) 分钟，且 0 ≤ 开始 < 结束 ≤ 1440',
  'intervals must be sorted and must not overlap': '时段须按顺序排列且不能重叠',
  'a working day needs at least one interval': '工作日至少需要一个时段',
  'name at least one working weekday': '至少指定一个工作日',
  'is listed twice': '重复列出',
  'must not be before from': '不能早于 from',
  'another SLA policy already has this priority and tier': '已有相同优先级和客户等级的 SLA 策略',
  'An SLA policy for {} already exists': '{0} 的 SLA 策略已存在',
  'Role {} may not change the SLA calendar or policies': '角色 {0} 不能修改 SLA 日历或策略',
  // Satisfaction surveys (docs/service.md, "Satisfaction surveys").
  'must be a whole number from {} to {}': '必须是 {0} 到 {1} 之间的整数',
  'This survey has already been answered': '此调查已作答',
  'this survey has already been answered': '此调查已作答',
}
