/**
 * Simplified Chinese for the journeys area's messages (src/modules/automation,
 * src/rules/journey-*.ts), spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhAutomationMessages: Record<string, string> = {
  'Invalid journey: {}': '旅程无效：{0}',
  'status: an archived journey cannot change': 'status：已归档的旅程不能再修改',
  'an archived journey cannot change': '已归档的旅程不能再修改',
  'status: a {} journey cannot become {}': 'status：{0}的旅程不能变为{1}',
  'a {} journey cannot become {}': '{0}的旅程不能变为{1}',
  'refers to nothing that exists': '引用的对象不存在',
  // The automation report (src/modules/analytics/automation).
  'must be a journey id (UUID)': '必须是旅程 ID（UUID）',
  'must be a whole number of days from 1 to {}': '必须是 1 到 {0} 之间的整数天数',
  // The definition's checks (src/rules/journey-definition.ts).
  'is not an event of the catalogue (docs/events.md)': '不是事件目录中的事件（docs/events.md）',
  'applies only to customer.updated': '仅适用于 customer.updated',
  'must be a whole number of days from 1 to 3650': '必须是 1 到 3650 之间的整数天数',
  'must be a whole number of days from 0 to 60': '必须是 0 到 60 之间的整数天数',
  'needs at least one step': '至少需要一个步骤',
  'may have at most {} steps': '最多可有 {0} 个步骤',
  'must be 1-40 lower-case letters, digits, _ or -, starting with a letter': '必须是 1-40 个小写字母、数字、_ 或 -，并以字母开头',
  'repeats the key {}: step keys are unique': '重复的步骤键 {0}：步骤键必须唯一',
  'is not one of {}': '不是以下之一：{0}',
  'a wait has exactly one of minutes or untilTime': '等待步骤必须且只能设置 minutes 或 untilTime 之一',
  'must be a whole number of minutes from 1 to 525600 (a year)': '必须是 1 到 525600（一年）之间的整数分钟数',
  'must be a time of day HH:MM (00:00-23:59)': '必须是 HH:MM 格式的时间（00:00-23:59）',
  'must be a whole number of points from 1 to 1000000': '必须是 1 到 1000000 之间的整数积分',
  'a tag step adds or removes at least one tag': '标签步骤至少要添加或移除一个标签',
  'must be a whole number of hours from 0 to 8760': '必须是 0 到 8760 之间的整数小时数',
  'names no step: {}': '没有名为 {0} 的步骤',
  'the steps {} loop without a wait': '步骤 {0} 构成没有等待的循环'
}

export const zhAutomationTerms: Record<string, string> = {
  Journey: '旅程'
}
