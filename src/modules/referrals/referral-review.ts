import type { SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import type { Executor } from '../../db/client.js'
import { CrmError, forbidden, notFound, staleVersion } from '../../errors.js'
import { decideReferralMove, type ReferralMove } from '../../rules/referral-status.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { authorize } from '../auth/permissions.js'
import { incentivesOnReferral } from '../incentives/incentive-triggers.js'
import { isUuid, parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { newConsentToken } from './consent.js'
import { announceRejected, rejectAndRelease, rejection } from './referral-intake.js'
import { referralsRepository as repo, type ReferralRow } from './referrals.repository.js'
import { ReferralReject } from './referrals.schemas.js'
import { referralAuditView } from './referrals.views.js'

/** Who may qualify and reject referrals by hand. */
const reviewers: ReadonlySet<string> = new Set(['admin', 'manager'])

/** `scope` is the actor's write reach over referrals (ReferralsService.scope). */
export type Review = { deps: ServiceDeps; actor: Actor; scope: SQL | undefined }

/** Managers: a submitted referral is qualified by hand (its lead is left as it is). */
export async function qualifyReferral({ deps, actor, scope }: Review, id: string, expectedVersion: number | undefined, now: Date): Promise<ReferralRow> {
  assertReviewer(actor)
  return runAction(deps.db, actionContext(actor), async (action) => {
    const { tx, audit, emit } = action
    const before = await lockForWrite(tx, scope, id, expectedVersion)
    if (before.status === 'qualified') return before
    assertMove({ from: before.status, to: 'qualified', via: 'manager' })
    const after = await repo.update(tx, id, { status: 'qualified', qualifiedAt: now })
    audit({ action: 'referral.qualified', entityType: 'referral', entityId: id, changes: { status: { from: before.status, to: after.status }, via: 'manager' } })
    emit({ type: 'referral.qualified', entityType: 'referral', entityId: id, data: { referral: referralAuditView(after), from: before.status, via: 'manager' } })
    await incentivesOnReferral(action, 'referral_qualified', after, now)
    return after
  })
}

/** Managers: rejects a referral that is not final and releases its person for other referrers. */
export async function rejectReferral({ deps, actor, scope }: Review, id: string, input: unknown, expectedVersion: number | undefined, now: Date): Promise<ReferralRow> {
  assertReviewer(actor)
  const data = parse(ReferralReject, input)
  return runAction(deps.db, actionContext(actor), async (action) => {
    const before = await lockForWrite(action.tx, scope, id, expectedVersion)
    assertMove({ from: before.status, to: 'rejected', via: 'manager', reason: data.reason })
    const after = await rejectAndRelease(action.tx, id, rejection(data.reason, data.detail?.trim() || null, now))
    announceRejected(action, after)
    return after
  })
}

/**
 * A new consent token for a referral still waiting for consent (the SMS was lost, or a
 * public submission's integrator needs one). The previous token stops working; the
 * expiry stays. Never for referrer tokens: a referrer must not answer for the person.
 */
export async function reissueConsentToken({ deps, actor, scope }: Review, id: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
  if (actor.role === 'referrer') throw forbidden('A referrer may not hold the consent token of the person it referred')
  return runAction(deps.db, actionContext(actor), async ({ tx, audit }) => {
    const before = await lockForWrite(tx, scope, id)
    const expiresAt = before.consentExpiresAt
    if (before.status !== 'pending_consent' || !expiresAt || expiresAt <= now) {
      const why = before.status === 'pending_consent' ? 'its consent request has expired' : `it is ${before.status}`
      throw new CrmError('CRM_ERR_INVALID_TRANSITION', `The referral is not waiting for consent: ${why}`,
        [{ field: 'id', message: 'is not waiting for consent', code: 'NOT_PENDING_CONSENT' }])
    }
    const issued = newConsentToken()
    await repo.update(tx, id, { consentTokenHash: issued.hash })
    audit({ action: 'referral.consent_token_issued', entityType: 'referral', entityId: id, changes: { expiresAt: expiresAt.toISOString() } })
    return { token: issued.token, expiresAt }
  })
}

function assertReviewer(actor: Actor): void {
  authorize(actor, 'referrals', 'write')
  if (!reviewers.has(actor.role)) throw forbidden('Only managers and admins qualify or reject referrals')
}

function assertMove(move: ReferralMove): void {
  const decision = decideReferralMove(move)
  if (!decision.allowed) {
    throw new CrmError('CRM_ERR_INVALID_TRANSITION', decision.reason, [{ field: 'status', message: decision.reason, code: 'INVALID_TRANSITION' }])
  }
}

/** The locked referral inside the write reach, at the expected version, or NOT_FOUND / STALE_VERSION. */
async function lockForWrite(tx: Executor, scope: SQL | undefined, id: string, expectedVersion?: number): Promise<ReferralRow> {
  const before = isUuid(id) ? await repo.lock(tx, id, scope) : undefined
  if (!before) throw notFound('Referral', id)
  if (expectedVersion !== undefined && before.version !== expectedVersion) throw staleVersion('Referral', expectedVersion, before.version)
  return before
}
