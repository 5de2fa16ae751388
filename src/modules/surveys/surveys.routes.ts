import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { requireActor } from '../../plugins/auth.js'
import { IdParams } from '../common/schemas.js'
import { ReferrerView } from '../referrers/referrers.schemas.js'
import type { Services } from '../services.js'
import { publicSurveyRoutes } from './public.routes.js'
import { SurveyCreate, SurveyListQuery, SurveyResponseListQuery, SurveyResponseView, SurveyUpdate, SurveyView } from './surveys.schemas.js'

/** /api/v1/surveys, /api/v1/survey-responses and the customer → referrer invitation: the same service as GraphQL. */
export const surveysRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['surveys']

  app.get('/surveys', {
    schema: { tags, summary: 'List survey definitions (keyset pages)', querystring: SurveyListQuery, response: { 200: listResponse(SurveyView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.surveys.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/surveys', {
    schema: { tags, summary: 'Define a survey (CSAT or NPS, its trigger, delay, channel, cooldown, expiry)', body: SurveyCreate, response: { 201: SurveyView, ...errorResponses } }
  }, async (request, reply) => {
    const survey = await services.surveys.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/surveys/${survey.id}`)
    return withEtag(reply, survey)
  })

  app.get('/surveys/:id', {
    schema: { tags, summary: 'Get a survey definition', params: IdParams, response: { 200: SurveyView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.surveys.get(requireActor(request), request.params.id)))

  app.patch('/surveys/:id', {
    schema: { tags, summary: 'Change a survey; active: false stops it (If-Match: version)', params: IdParams, body: SurveyUpdate, response: { 200: SurveyView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const survey = await services.surveys.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, survey)
  })

  app.get('/survey-responses', {
    schema: { tags, summary: 'List survey answers, newest first (sales: customers their team owns)', querystring: SurveyResponseListQuery, response: { 200: listResponse(SurveyResponseView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, direction, ...filter } = request.query
    return listBody(await services.surveys.responses(requireActor(request), filter, direction === 'asc' ? 'ASC' : 'DESC', { first: limit, after: cursor }))
  })

  app.get('/survey-responses/:id', {
    schema: { tags, summary: 'Get a survey answer', params: IdParams, response: { 200: SurveyResponseView, ...errorResponses } }
  }, async (request) => services.surveys.response(requireActor(request), request.params.id))

  app.post('/customers/:id/referrer', {
    schema: {
      tags, summary: 'Make the customer a referrer (kind customer, with a referral code): 201 when created, 200 with the existing one',
      params: IdParams, response: { 200: ReferrerView, 201: ReferrerView, ...errorResponses }
    }
  }, async (request, reply) => {
    const { referrer, created } = await services.surveys.inviteReferrer(requireActor(request), request.params.id)
    reply.code(created ? 201 : 200)
    return referrer
  })

  await app.register(publicSurveyRoutes, { services })
}
