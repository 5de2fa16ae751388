/**
 * Simplified Chinese for the coupon area's messages (src/modules/coupons, src/rules/coupon-*.ts),
 * spread into zhMessages (src/i18n/zh.ts). Keys as there: `{}` for each interpolated value.
 */
export const zhCouponMessages: Record<string, string> = {
  // Codes (src/modules/coupons/coupons.buyer.ts).
  'is not a valid code: a coupon code has 13 letters and digits (XXXX-XXXX-XXXX-X)': '不是有效的券码：券码由 13 位字母和数字组成（XXXX-XXXX-XXXX-X）',
  'is not a valid code: coupon codes use the digits 2-9 and the letters A-Z except I and O': '不是有效的券码：券码只使用数字 2-9 和除 I、O 以外的字母 A-Z',
  'is not a valid code: a character is mistyped (its check character does not match)': '不是有效的券码：有字符输错（校验位不符）',
  'is a well-formed code, but no coupon you can use has it': '券码格式正确，但没有您可使用的优惠券使用此券码',
  'code: {}': 'code：{0}',
  'name the customer once: customerId or customerExternalId': '请只提供一次客户：customerId 或 customerExternalId',
  'is not the externalId of orderId': '不是 orderId 对应订单的 externalId',
  // Why a coupon does not apply (src/rules/coupon-validity.ts).
  'the coupon has been voided': '该优惠券已作废',
  'the coupon has already been used': '该优惠券已被使用',
  'name the customer: the coupon belongs to one, or its uses per customer are limited': '请提供客户：该优惠券属于某位客户，或其每位客户的使用次数有限',
  'the coupon belongs to another customer': '该优惠券属于其他客户',
  'the coupon is valid from {}': '该优惠券自 {0} 起生效',
  'the coupon expired at {}': '该优惠券已于 {0} 过期',
  'the coupon is for orders in {}': '该优惠券仅适用于 {0} 币种的订单',
  "the order is below the coupon's minimum of {}": '订单金额低于该优惠券的最低消费 {0}',
  'the customer has used this offer {} times, the most allowed': '该客户已使用此优惠 {0} 次，已达上限',
  '{} off (amount_off {})': '减 {0}（立减 {1}）',
  '{} off ({}%)': '减 {0}（{1}% 折扣）',
  '{} off ({}%, at most {})': '减 {0}（{1}% 折扣，最多 {2}）',
  'gift {}': '赠品 {0}',
  'the coupon is {}': '该优惠券状态为 {0}',
  // Templates (src/rules/coupon-validity.ts, src/modules/coupons/coupon-templates.service.ts).
  'is required for an amount_off coupon': 'amount_off（立减）券为必填项',
  'is only for amount_off coupons': '仅适用于 amount_off（立减）券',
  'is required for a percent_off coupon (1 to 10000 basis points)': 'percent_off（折扣）券为必填项（1 到 10000 个基点）',
  'is only for percent_off coupons': '仅适用于 percent_off（折扣）券',
  'is required for a gift coupon': '赠品券为必填项',
  'is only for gift coupons': '仅适用于赠品券',
  'must be at least the {} coupons already issued': '不能少于已发放的 {0} 张优惠券',
  'Invalid coupon template: {}': '优惠券模板无效：{0}',
  'cannot change once coupons are issued: create a new template': '已发放优惠券后不能修改：请新建模板',
  // Issuing, batches, assignment, voiding, restoring (src/modules/coupons/).
  'is not a coupon template': '不是优惠券模板',
  'the template is not active: it issues no coupons': '该模板未启用：不再发放优惠券',
  'the template has {} of its {} coupons left, not {}': '该模板的 {1} 张优惠券只剩 {0} 张，不足 {2} 张',
  'the template has {} of its {} coupons left': '该模板的 {1} 张优惠券只剩 {0} 张',
  'templateId: {}': 'templateId：{0}',
  'quantity: {}': 'quantity：{0}',
  "Only a role that reads every coupon may read a batch's codes": '只有可读取所有优惠券的角色才能读取批次的券码',
  'code: the coupon already has a holder': 'code：该优惠券已有持有人',
  'the coupon already has a holder': '该优惠券已有持有人',
  'code: the coupon changed meanwhile; read it again': 'code：该优惠券已被修改，请重新读取',
  'the coupon changed meanwhile; read it again': '该优惠券已被修改，请重新读取',
  'the coupon is {}: only an unused coupon can be voided': '该优惠券状态为 {0}：只有未使用的优惠券才能作废',
  'status: {}': 'status：{0}',
  'the redemption was already restored': '该核销记录已恢复',
  'code: the coupon keeps changing; retry': 'code：该优惠券正在被频繁修改，请重试',
  'the coupon keeps changing; retry': '该优惠券正在被频繁修改，请重试',
  'restoredAt: {}': 'restoredAt：{0}',
  // Incentive rules that issue coupons (src/modules/incentives/incentive-rules.validate.ts).
  'is required for a coupon reward, unless couponTemplateId names the template to issue': '优惠券奖励为必填项，除非 couponTemplateId 指定了要发放的模板',
  'couponTemplateId: is not a coupon template': 'couponTemplateId：不是优惠券模板'
}

/** Values inside coupon messages that have a translation. */
export const zhCouponTerms: Record<string, string> = {
  CouponTemplate: '优惠券模板', Coupon: '优惠券', CouponBatch: '优惠券批次', CouponRedemption: '优惠券核销记录',
  issued: '已发放', redeemed: '已使用', voided: '已作废'
}
