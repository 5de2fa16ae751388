/**
 * Simplified Chinese for the points and member-level messages (src/modules/points,
 * src/modules/levels, src/rules/member-levels.ts), spread into zhMessages and zhTerms
 * (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhLoyaltyMessages: Record<string, string> = {
  // Points (src/modules/points).
  'is required for a base rule: points per unitAmount': '基础规则必填：每 unitAmount 获得的积分',
  'is required for a base rule: the amount (minor units) that earns `points`': '基础规则必填：获得 `points` 积分所需的金额（最小货币单位）',
  "is required for a multiplier rule: it multiplies that campaign's orders": '倍数规则必填：对该营销活动的订单加倍',
  'is required for a multiplier rule (basis points of 1: 20000 = 2×)': '倍数规则必填（以 1 的万分之一计：20000 = 2 倍）',
  'must be after validFrom': '必须晚于 validFrom',
  'is not a referrer you can see': '不是您可查看的推荐人',
  'amount: {} points asked, {} available': 'amount：申请 {0} 积分，可用 {1}',
  'is more than the {} points available': '超过可用的 {0} 积分',
  'externalId: already used by a redemption with a different holder, amount or order': 'externalId：已被持有人、数量或订单不同的兑换使用',
  'is already used by another redemption': '已被另一笔兑换使用',
  'externalId: already used by another redemption': 'externalId：已被另一笔兑换使用',
  'say what the points pay for: orderId, orderExternalId or itemCode': '请说明积分用于支付什么：orderId、orderExternalId 或 itemCode',
  'is more than the {} points not yet given back': '超过尚未退回的 {0} 积分',
  'must not be 0: positive credits, negative takes': '不能为 0：正数为增加，负数为扣减',
  'is not an IANA time zone such as Asia/Shanghai': '不是 IANA 时区（例如 Asia/Shanghai）',
  'status: the redemption is already fully reversed': 'status：该兑换已全部冲正',
  'nothing of this redemption is left to give back': '该兑换已无可退回的积分',
  // Member levels (docs/loyalty.md, "Member levels").
  'a level above the base needs minSpend or minPoints (or both)': '基础等级以上的等级需要 minSpend 或 minPoints（或两者都要）',
  'the base level has no thresholds: every customer is at it until it qualifies for another': '基础等级没有门槛：客户在达到其他等级之前都处于该等级',
  'the base level keeps rank 0': '基础等级的 rank 固定为 0',
  'the base level cannot be deactivated: customers without another level are at it': '基础等级不能停用：没有其他等级的客户都处于该等级',
  'name no coupon template: {}': '不是已有的优惠券模板：{0}',
  '{}: another member level already has this value': '{0}：另一个会员等级已使用此值',
  'is already used by another member level': '已被另一个会员等级使用',
  'names no member level: {}': '不是已有的会员等级：{0}',
  'names no member level': '不是已有的会员等级',
  'names an inactive level': '是已停用的会员等级',
  'levelKey: the customer is already at {}': 'levelKey：该客户已处于 {0}',
  'the customer is already at this level': '该客户已处于此等级',
  'name the level by exactly one of levelId and levelKey': '请只用 levelId 和 levelKey 之一指定等级',
  'the base level has no review': '基础等级没有复核日期'
}

/** Entity names in the loyalty area's messages. */
export const zhLoyaltyTerms: Record<string, string> = {
  PointsEarningRule: '积分获取规则', PointsRedemption: '积分兑换', LoyaltySettings: '忠诚度设置',
  MemberLevel: '会员等级', 'member level': '会员等级'
}
