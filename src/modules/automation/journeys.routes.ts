import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { EnrollmentListQuery, EnrollmentView, JourneyCreate, JourneyListQuery, JourneyUpdate, JourneyView, StepCountsView, StepRunView, TransitionBody } from './journeys.schemas.js'

/** /api/v1/journeys and /api/v1/journey-enrollments: the same service as GraphQL. */
export const journeysRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['automation']
  const journey = { 200: JourneyView, ...errorResponses }

  app.get('/journeys', {
    schema: { tags, summary: 'Journeys, newest first (keyset pages)', querystring: JourneyListQuery, response: { 200: listResponse(JourneyView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.journeys.list(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.post('/journeys', {
    schema: { tags, summary: 'Create a draft journey: trigger, conditions, steps (docs/automation.md)', body: JourneyCreate, response: { 201: JourneyView, ...errorResponses } }
  }, async (request, reply) => {
    const created = await services.journeys.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/journeys/${created.id}`)
    return withEtag(reply, created)
  })

  app.get('/journeys/:id', {
    schema: { tags, summary: 'A journey and its current definition', params: IdParams, response: journey }
  }, async (request, reply) => withEtag(reply, await services.journeys.get(requireActor(request), request.params.id)))

  app.patch('/journeys/:id', {
    schema: { tags, summary: 'Change a journey (If-Match: version); an active or paused one gets a new version', params: IdParams, body: JourneyUpdate, response: journey }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.journeys.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  for (const [path, op, summary] of [
    ['activation', 'activate', 'Activate a draft or paused journey'], ['pause', 'pause', 'Pause an active journey: no enrollments, steps wait'],
    ['archive', 'archive', 'Archive a journey: running enrollments exit']
  ] as const) {
    app.post(`/journeys/:id/${path}`, {
      schema: { tags, summary, params: IdParams, body: Type.Optional(TransitionBody), response: journey }
    }, async (request, reply) => {
      const expectedVersion = expectedVersionOf(request, request.body ?? {})
      return withEtag(reply, await services.journeys.transition(requireActor(request), request.params.id, op, expectedVersion))
    })
  }

  app.get('/journeys/:id/step-counts', {
    schema: { tags, summary: 'Per version and step: entered, completed, skipped, held, capped, blocked, failed', params: IdParams, response: { 200: Type.Object({ data: Type.Array(StepCountsView) }), ...errorResponses } }
  }, async (request) => {
    const actor = requireActor(request)
    await services.journeys.get(actor, request.params.id)
    return { data: (await services.journeys.stepCounts(actor, [request.params.id]))[0] }
  })

  app.get('/journey-enrollments', {
    schema: { tags, summary: "Enrollments newest first: a journey's, a customer's (keyset pages)", querystring: EnrollmentListQuery, response: { 200: listResponse(EnrollmentView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.journeys.enrollments(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.get('/journey-enrollments/:id/steps', {
    schema: { tags, summary: 'The steps an enrollment ran and how each ended', params: IdParams, response: { 200: Type.Object({ data: Type.Array(StepRunView) }), ...errorResponses } }
  }, async (request) => ({ data: (await services.journeys.stepRuns(requireActor(request), [request.params.id]))[0] }))
}
