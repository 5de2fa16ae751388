/**
 * Simplified Chinese for the notification area's messages (src/modules/notifications:
 * channels, delivery, staff subscriptions), spread into zhMessages (src/i18n/zh.ts).
 * Keys as there: `{}` for each interpolated value.
 */
export const zhNotificationMessages: Record<string, string> = {
  // Channels (src/modules/notifications/channels.service.ts).
  'only a WeCom or DingTalk robot channel belongs to a team': '只有企业微信或钉钉机器人渠道属于团队',
  'no such team': '团队不存在',
  'already used by another channel': '已被其他渠道使用',
  'externalId: already used by another channel': 'externalId：已被其他渠道使用',
  'another channel of this kind became the default at the same time; try again': '同类型的另一个渠道同时被设为默认；请重试',
  'isDefault: another channel of this kind became the default at the same time; try again': 'isDefault：同类型的另一个渠道同时被设为默认；请重试',
  // Staff subscriptions (src/modules/notifications/staff.service.ts).
  'Only staff users have notification subscriptions': '只有员工用户才有通知订阅',
  'give userId or teamId, not both': '请提供 userId 或 teamId，不能同时提供',
  'this key has no user: name the userId or teamId to subscribe': '此密钥未关联用户：请指定要订阅的 userId 或 teamId',
  'Only admins manage the subscriptions of other users and of teams': '只有管理员可以管理其他用户和团队的订阅',
  'subscribed at the same time by another request; try again': '另一个请求同时进行了订阅；请重试',
  'channelId: subscribed at the same time by another request; try again': 'channelId：另一个请求同时进行了订阅；请重试',
  'no such notification channel': '通知渠道不存在',
  'no such user': '用户不存在',
  'a user subscribes on an email channel; robots post to a team': '用户通过邮件渠道订阅；机器人只发送到团队群',
  'the user has no email address': '该用户没有邮箱地址',
  'only managers and admins may hear of every event (scope all)': '只有经理和管理员可以接收全部事件（scope all）',
  'a team subscribes on a WeCom or DingTalk robot channel': '团队通过企业微信或钉钉机器人渠道订阅',
  "the robot posts to another team's group": '该机器人发送到其他团队的群',
  'a team subscription has scope team or all': '团队订阅的范围只能是 team 或 all'
}

/** Entity and area names used inside other messages ("Notification channel … not found", "may not access notifications"). */
export const zhNotificationTerms: Record<string, string> = {
  'Notification channel': '通知渠道', 'Notification subscription': '通知订阅', notifications: '通知'
}
