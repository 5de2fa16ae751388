import type { PiiCipher } from '../../lib/pii.js'
import { rejectionWording } from '../../rules/referral-checks.js'
import type { Actor } from '../auth/actor.js'
import { canReadPii } from '../auth/permissions.js'
import { lazyClearContact, openContact } from '../common/contact.js'
import { recordReads } from '../audit/access-reads.js'
import type { ReferralRow } from './referrals.repository.js'

/**
 * A referral as its reader sees it: contact clear or masked by role, storage columns,
 * the token hash and the submitter's IP never. A referrer token always gets masked
 * contact and, for a rejection, the reason in words without what it matched.
 */
export function referralView(pii: PiiCipher, actor: Actor, row: ReferralRow) {
  const {
    phoneEnc: _pe, phoneIdx: _pi, phoneMasked: _pm, emailEnc: _ee, emailIdx: _ei, emailMasked: _em,
    consentTokenHash: _t, sourceIp: _ip, deletedAt: _d, consent, ...rest
  } = row
  const clear = canReadPii(actor)
  const { ip, ...shown } = consent ?? { ip: undefined }
  const view = {
    ...rest,
    ...(clear ? { phone: null as string | null, email: null as string | null } : openContact(pii, row, false)),
    consent: consent ? (clear && ip ? { ...shown, ip } : shown) : null,
    rejectionDetail: actor.role === 'referrer' && row.rejectionReason ? rejectionWording[row.rejectionReason] : row.rejectionDetail
  }
  // The referred person's contact, opened (and audited as read) only if the answer takes it.
  if (clear) lazyClearContact(pii, view, row, recordReads(actor, 'referral', row.id))
  return view
}

export type Referral = ReturnType<typeof referralView>

/** The referral as audit entries and events carry it: personal data masked, never clear, no token. */
export function referralAuditView(row: ReferralRow) {
  const {
    phoneEnc: _pe, phoneIdx: _pi, phoneMasked, emailEnc: _ee, emailIdx: _ei, emailMasked,
    consentTokenHash: _t, sourceIp: _ip, deletedAt: _d, consent, ...rest
  } = row
  const { ip: _cip, ...shown } = consent ?? {}
  return { ...rest, phone: phoneMasked, email: emailMasked, consent: consent ? shown : null }
}
