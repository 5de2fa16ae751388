import type { consentRecords } from '../../db/schema/consents.js'
import type { LatestConsent } from './consent-state.js'

export type ConsentRow = typeof consentRecords.$inferSelect
export type ConsentView = ReturnType<typeof consentView>

export function consentView(r: ConsentRow) {
  return {
    id: r.id, customerId: r.customerId, referrerId: r.referrerId, purpose: r.purpose, channel: r.channel, granted: r.granted,
    textVersion: r.textVersion, source: r.source, proof: r.proof, note: r.note, occurredAt: r.occurredAt.toISOString(),
    recordedAt: r.recordedAt.toISOString(), actorType: r.actorType, actorId: r.actorId, referralId: r.referralId, messageId: r.messageId
  }
}

/** A current state (Customer.consents): the latest record of one purpose and channel. */
export function stateView(r: Omit<LatestConsent, 'customerId'>) {
  return { purpose: r.purpose, channel: r.channel, granted: r.granted, occurredAt: r.occurredAt.toISOString(), source: r.source, textVersion: r.textVersion }
}

/** The customer record's free-text consent, as consent_records reads it (docs/consents.md, "The customer's consent field"). */
export function fromCustomerRecord(consent: { purpose: string; channel: string }): { purpose: ConsentRow['purpose']; channel: ConsentRow['channel'] } {
  const p = consent.purpose.toLowerCase()
  const purpose = /marketing|营销|推广|促销/.test(p) ? 'marketing'
    : /third.?party|第三方/.test(p) ? 'third_party_sharing'
      : /cross.?border|跨境|出境/.test(p) ? 'cross_border' : 'processing'
  const c = consent.channel.trim().toLowerCase()
  const channel = (['sms', 'email', 'phone', 'wecom', 'dingtalk'] as const).find((k) => k === c) ?? (c === 'wechat' ? 'wecom' : 'any')
  return { purpose, channel }
}
