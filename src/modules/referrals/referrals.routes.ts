import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { publicReferralRoutes } from './public.routes.js'
import {
  ConsentConfirm, IssuedConsentToken, ReferralListQuery, ReferralReject, ReferralSubmit, ReferralView, SubmittedReferralView
} from './referrals.schemas.js'

/** /api/v1/referrals: the same service as GraphQL, resource style; /api/v1/public/*: the landing page. */
export const referralsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['referrals']
  const one = { 200: ReferralView, ...errorResponses }
  const noToken = (request: { id: string }) => ({ ip: null, requestId: request.id })

  app.get('/referrals', {
    schema: { tags, summary: 'List referrals (keyset pages; referrer tokens: their own)', querystring: ReferralListQuery, response: { 200: listResponse(ReferralView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const page = await services.referrals.list(requireActor(request), filter,
      { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' }, { first: limit, after: cursor })
    return listBody(page)
  })

  app.post('/referrals', {
    schema: {
      tags, summary: 'Submit a referral: checked, then pending_consent (token shown once), submitted, or rejected with its reason',
      body: ReferralSubmit, response: { 201: SubmittedReferralView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { referral, consentToken } = await services.referrals.submit(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/referrals/${referral.id}`)
    return withEtag(reply, consentToken ? { ...referral, consentToken } : referral)
  })

  app.post('/referrals/consent', {
    schema: { tags, summary: "The referred person's answer, by consent token (declining rejects it)", body: ConsentConfirm, response: one }
  }, async (request, reply) => {
    const actor = requireActor(request)
    const row = await services.referrals.confirmConsent(actor, request.body, noToken(request))
    return withEtag(reply, services.referrals.toView(actor, row))
  })

  app.get('/referrals/:id', {
    schema: { tags, summary: 'Get a referral', params: IdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.referrals.get(requireActor(request), request.params.id)))

  app.post('/referrals/:id/qualify', {
    schema: { tags, summary: 'Managers: mark a submitted referral qualified (If-Match: version)', params: IdParams, response: one }
  }, async (request, reply) =>
    withEtag(reply, await services.referrals.qualify(requireActor(request), request.params.id, ifMatchVersion(request))))

  app.post('/referrals/:id/reject', {
    schema: { tags, summary: 'Managers: reject a referral that is not final (If-Match: version)', params: IdParams, body: ReferralReject, response: one }
  }, async (request, reply) =>
    withEtag(reply, await services.referrals.reject(requireActor(request), request.params.id, request.body, ifMatchVersion(request))))

  app.post('/referrals/:id/consent-token', {
    schema: {
      tags, summary: 'A new consent token for a referral waiting for consent (the old one stops working)',
      params: IdParams, response: { 200: IssuedConsentToken, ...errorResponses }
    }
  }, async (request) => services.referrals.issueConsentToken(requireActor(request), request.params.id))

  await app.register(publicReferralRoutes, { services })
}

