import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams, Nullable } from '../common/schemas.js'
import type { Services } from '../services.js'
import type { LevelChange } from './levels.evaluate.js'
import {
  CustomerLevelView, CustomerParams, HistoryQuery, LevelChangeView, LevelCountView, LevelCreate, LevelListQuery, LevelUpdate, MemberLevelView,
  ReviewLevels, ReviewResultView, SetCustomerLevel
} from './levels.schemas.js'

const LevelRef = Type.Object({ id: Type.String(), key: Type.String(), rank: Type.Integer(), nameZh: Type.String(), nameEn: Type.String() })
const LevelMoveView = Type.Object({
  id: Type.String(), customerId: Type.String(), reason: Type.String(), from: LevelRef,
  to: Type.Object({ ...LevelRef.properties, discountBp: Type.Integer(), pointsMultiplierBp: Type.Integer() }),
  reachedAt: Type.String({ format: 'date-time' }), reviewAt: Nullable(Type.String({ format: 'date-time' })), couponTemplateIds: Type.Array(Type.String())
})
const moveBody = (c: LevelChange) => ({ ...c, reachedAt: c.reachedAt.toISOString(), reviewAt: c.reviewAt?.toISOString() ?? null })
const { customerId: _c, ...levelSetFields } = SetCustomerLevel.properties
const LevelSetBody = Type.Object(levelSetFields, { additionalProperties: false })

/** /api/v1/member-levels and a customer's level: the same service as GraphQL, resource style. */
export const levelsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['member-levels']

  app.get('/member-levels', {
    schema: { tags, summary: '会员等级: the levels by rank', querystring: LevelListQuery, response: { 200: Type.Object({ data: Type.Array(MemberLevelView) }), ...errorResponses } }
  }, async (request) => ({ data: await services.levels.admin.list(requireActor(request), request.query) }))

  app.get('/member-levels/counts', {
    schema: { tags, summary: 'Customers you can see per level, by rank', response: { 200: Type.Object({ data: Type.Array(LevelCountView) }), ...errorResponses } }
  }, async (request) => ({ data: await services.levels.counts(requireActor(request)) }))

  app.post('/member-levels', {
    schema: { tags, summary: 'Add a level (rank 1 or more, at least one threshold)', body: LevelCreate, response: { 201: MemberLevelView, ...errorResponses } }
  }, async (request, reply) => {
    const level = await services.levels.admin.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/member-levels/${level.id}`)
    return withEtag(reply, level)
  })

  app.get('/member-levels/:id', {
    schema: { tags, summary: 'A level', params: IdParams, response: { 200: MemberLevelView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.levels.admin.get(requireActor(request), request.params.id)))

  app.patch('/member-levels/:id', {
    schema: { tags, summary: 'Change a level (If-Match: version); nobody moves until their next activity (up) or review (down)', params: IdParams, body: LevelUpdate, response: { 200: MemberLevelView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.levels.admin.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.post('/member-levels/:id/deactivate', {
    schema: { tags, summary: 'Deactivate a level: nobody reaches it any more; customers at it keep it until their review', params: IdParams, response: { 200: MemberLevelView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.levels.admin.deactivate(requireActor(request), request.params.id, ifMatchVersion(request))))

  app.post('/member-levels/review', {
    schema: { tags, summary: 'Run the level review now for customers whose review date has come (up to limit)', body: Type.Optional(ReviewLevels), response: { 200: ReviewResultView, ...errorResponses } }
  }, async (request) => services.levels.reviewNow(requireActor(request), request.body ?? {}))

  app.get('/customers/:id/level', {
    schema: { tags, summary: "A customer's member level", params: CustomerParams, response: { 200: CustomerLevelView, ...errorResponses } }
  }, async (request) => {
    const { customerId: _id, ...view } = await services.levels.ofCustomer(requireActor(request), request.params.id)
    return view
  })

  app.get('/customers/:id/level/history', {
    schema: { tags, summary: "A customer's level history, newest first (keyset pages)", params: CustomerParams, querystring: HistoryQuery, response: { 200: listResponse(LevelChangeView), ...errorResponses } }
  }, async (request) => listBody(await services.levels.history(requireActor(request), request.params.id, { first: request.query.limit, after: request.query.cursor })))

  app.put('/customers/:id/level', {
    schema: { tags, summary: 'Set a customer\'s level by hand, with the reason (history reason manual)', params: CustomerParams, body: LevelSetBody, response: { 200: LevelMoveView, ...errorResponses } }
  }, async (request) => moveBody(await services.levels.setLevel(requireActor(request), { ...request.body, customerId: request.params.id })))

  app.post('/customers/:id/level/evaluation', {
    schema: {
      tags, summary: "Evaluate a customer's level now, as an order would (up only); 200 with the move, or 204 when nothing moved",
      params: CustomerParams, response: { 200: LevelMoveView, 204: Type.Null(), ...errorResponses }
    }
  }, async (request, reply) => {
    const change = await services.levels.evaluate(requireActor(request), request.params.id)
    if (!change) return reply.code(204).send(null)
    return moveBody(change)
  })
}
