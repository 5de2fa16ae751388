import { runAction, type ActionContext } from '../../db/action.js'
import { CrmError, forbidden, notFound } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { parse } from '../common/validate.js'
import type { LeadsService } from '../leads/leads.service.js'
import { referrersRepository } from '../referrers/referrers.repository.js'
import type { ServiceDeps } from '../service-deps.js'
import { consentRecord, hashConsentToken } from './consent.js'
import { intakeFacts } from './referral-facts.js'
import { announceRejected, createLead, recordSubmission, rejectAndRelease, rejection, type Recorded } from './referral-intake.js'
import { activeReferrerByCode, assertCampaign, sealPerson, submittingReferrer, unknownCode } from './referral-sources.js'
import { referralsRepository as repo, type ReferralRow } from './referrals.repository.js'
import { ConsentConfirm, PublicReferralSubmit, ReferralSubmit } from './referrals.schemas.js'
import { referralAuditView } from './referrals.views.js'

/** What the submission paths need: the services' dependencies and the leads service (lead creation). */
export type SubmissionDeps = { deps: ServiceDeps; leads: LeadsService }

/** Where a public request came from: kept on the referral and in the consent record. */
export type RequestMeta = { ip: string | null; requestId: string | null }

/**
 * submitReferral / POST /referrals. A referrer token submits as itself; staff and
 * integrations name the referrer. The clear consent token comes back once, except to
 * referrer tokens (a referrer must not be able to consent for the person).
 */
export async function submitAuthenticated({ deps, leads }: SubmissionDeps, actor: Actor, input: unknown, now: Date): Promise<Recorded> {
  authorize(actor, 'referrals', 'write')
  const data = parse(ReferralSubmit, input)
  const contact = sealPerson(deps.pii, data)
  const { referrerId, referralCode, phone: _p, email: _e, channel, ...person } = data
  const recorded = await runAction(deps.db, actionContext(actor), async (action) => {
    const { tx } = action
    // A referrer named by id is read with everything else the submission reads, in one statement.
    const namedId = actor.role === 'referrer' ? actor.referrerId : referrerId
    const read = namedId ? await intakeFacts(tx, namedId, { phone: contact.phoneIdx, email: contact.emailIdx }, now, (i) => deps.pii.indexesOf(i)) : undefined
    const referrer = await submittingReferrer(tx, actor, { referrerId, referralCode },
      (id) => (read && id === read.referrerId ? Promise.resolve(read.referrer) : referrersRepository.byId(tx, id)))
    await assertCampaign(tx, person.campaignId)
    return recordSubmission(deps, leads, action, {
      referrer, person, contact, channel: channel ?? 'api', sourceIp: null,
      submittedBy: { userId: actor.userId, teamId: actor.teamId }, read
    }, now)
  })
  return actor.role === 'referrer' ? { ...recorded, consentToken: null } : recorded
}

/**
 * POST /public/referrals: the landing page, form or QR code. An unknown or inactive code
 * is NOT_FOUND (codes are public anyway); everything else about the person stays inside.
 */
export async function submitPublic({ deps, leads }: SubmissionDeps, input: unknown, meta: RequestMeta, now: Date): Promise<void> {
  const data = parse(PublicReferralSubmit, input)
  const contact = sealPerson(deps.pii, data)
  const { referralCode, phone: _p, email: _e, channel, ...person } = data
  await runAction(deps.db, publicContext(meta.requestId), async (action) => {
    const referrer = await activeReferrerByCode(action.tx, referralCode)
    if (!referrer) throw unknownCode()
    await assertCampaign(action.tx, person.campaignId)
    await recordSubmission(deps, leads, action, {
      referrer, person, contact, channel: channel ?? 'form', sourceIp: meta.ip, submittedBy: { userId: null, teamId: null }
    }, now)
  })
}

/**
 * The referred person's answer, by token (GraphQL for staff frontends, REST and the
 * public twin). Granting moves the referral to submitted and creates its lead; declining
 * rejects it (consent_declined) and releases the person. Either way the token is spent.
 */
export async function confirmConsent({ deps, leads }: SubmissionDeps, actor: Actor | null, input: unknown, meta: RequestMeta, now: Date): Promise<ReferralRow> {
  if (actor?.role === 'referrer') throw forbidden('A referrer cannot answer for the person it referred')
  const { token, ...answer } = parse(ConsentConfirm, input)
  const context = actor ? actionContext(actor) : publicContext(meta.requestId)
  return runAction(deps.db, context, async (action) => {
    const before = await repo.lockByTokenHash(action.tx, hashConsentToken(token))
    if (!before || before.status !== 'pending_consent') throw notFound('Consent request')
    if (!before.consentExpiresAt || before.consentExpiresAt <= now) {
      throw new CrmError('CRM_ERR_INVALID_TRANSITION', 'The consent request has expired',
        [{ field: 'token', message: 'has expired', code: 'CONSENT_EXPIRED' }])
    }
    const consent = consentRecord(answer, now, meta.ip)
    if (!answer.granted) {
      const after = await rejectAndRelease(action.tx, before.id, { ...rejection('consent_declined', `declined by ${consent.by} via ${consent.channel}`, now), consent })
      announceRejected(action, after)
      return after
    }
    const consented = await repo.update(action.tx, before.id, {
      status: 'submitted', consent, consentedAt: now, submittedAt: now, consentTokenHash: null
    })
    action.audit({ action: 'referral.consented', entityType: 'referral', entityId: before.id, changes: { status: { from: before.status, to: consented.status }, consent: { ...consent, ip: undefined } } })
    action.emit({ type: 'referral.consented', entityType: 'referral', entityId: before.id, data: { referral: referralAuditView(consented) } })
    // Who submitted is not kept on the referral: routing falls back to the referrer's owner.
    return createLead(leads, action, consented, { userId: null, teamId: null }, now)
  })
}

/** Public callers, as the audit trail records them. */
export function publicContext(requestId: string | null): ActionContext {
  return { actorType: 'public', actorId: null, actorRole: null, apiKeyId: null, requestId }
}
