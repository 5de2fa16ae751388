import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import {
  EarningRuleCreate, EarningRuleUpdate, EarningRuleView, HolderQuery, LedgerQuery, LoyaltySettingsView, PointsAccountView, PointsAdjust, PointsBalanceView, PointsEntryView,
  PointsRedemptionView, RedemptionCreate, RedemptionReverse, SettingsUpdate
} from './points.schemas.js'
import type { LoyaltySettings } from './points.settings.js'

const settingsBody = (s: LoyaltySettings) => ({
  expiryMonths: s.months, expiryRounding: s.rounding, timeZone: s.timeZone, version: s.version, updatedAt: s.updatedAt.toISOString()
})

/** /api/v1/points: the same service as GraphQL, resource style. */
export const pointsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['points']

  app.get('/points/balance', {
    schema: { tags, summary: "A customer's or referrer's points: spendable balance and the next expiry (name exactly one holder)", querystring: HolderQuery, response: { 200: PointsBalanceView, ...errorResponses } }
  }, async (request) => {
    const { holder: _h, ...balance } = await services.points.balance(requireActor(request), request.query)
    return balance
  })

  app.get('/points/ledger', {
    schema: { tags, summary: "A holder's points ledger, newest first (keyset pages)", querystring: LedgerQuery, response: { 200: listResponse(PointsEntryView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, kind, ...holder } = request.query
    return listBody(await services.points.ledger(requireActor(request), holder, { ...(kind ? { kind } : {}) }, { first: limit, after: cursor }))
  })

  app.post('/points/redemptions', {
    schema: {
      tags, summary: '积分抵扣: pay for an order or item with points (never overdraws; Idempotency-Key and externalId make retries safe)',
      body: RedemptionCreate, response: { 201: Type.Object({ redemption: PointsRedemptionView, account: PointsAccountView }), ...errorResponses }
    }
  }, async (request, reply) => {
    const done = await services.points.redeem(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/points/redemptions/${done.redemption.id}`)
    return done
  })

  app.get('/points/redemptions/:id', {
    schema: { tags, summary: 'A redemption', params: IdParams, response: { 200: PointsRedemptionView, ...errorResponses } }
  }, async (request) => services.points.redemption(requireActor(request), request.params.id))

  app.post('/points/redemptions/:id/reversal', {
    schema: {
      tags, summary: "Give back a redemption's points (all not yet given back, or `amount`); expired lots' shares are forfeited",
      params: IdParams, body: RedemptionReverse, response: { 200: PointsRedemptionView, ...errorResponses }
    }
  }, async (request) => services.points.reverseRedemption(requireActor(request), request.params.id, request.body ?? {}))

  app.post('/points/adjustments', {
    schema: {
      tags, summary: 'A manual correction with a reason (positive: a new lot; negative: first-expiring-first, never below zero)',
      body: PointsAdjust, response: { 201: Type.Object({ entry: PointsEntryView, account: PointsAccountView }), ...errorResponses }
    }
  }, async (request, reply) => {
    reply.code(201)
    return services.points.adjust(requireActor(request), request.body)
  })

  app.get('/points/earning-rules', {
    schema: { tags, summary: 'The order earning rules, by priority', response: { 200: Type.Object({ data: Type.Array(EarningRuleView) }), ...errorResponses } }
  }, async (request) => ({ data: await services.earningRules.list(requireActor(request)) }))

  app.post('/points/earning-rules', {
    schema: { tags, summary: 'Add an order earning rule (base: points per unit amount; multiplier: a campaign multiplier)', body: EarningRuleCreate, response: { 201: EarningRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const rule = await services.earningRules.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/points/earning-rules/${rule.id}`)
    return rule
  })

  app.patch('/points/earning-rules/:id', {
    schema: { tags, summary: 'Change an order earning rule (If-Match: version)', params: IdParams, body: EarningRuleUpdate, response: { 200: EarningRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.earningRules.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.get('/loyalty/settings', {
    schema: { tags, summary: 'The points expiry policy', response: { 200: LoyaltySettingsView, ...errorResponses } }
  }, async (request) => settingsBody(await services.points.settings(requireActor(request))))

  app.patch('/loyalty/settings', {
    schema: { tags, summary: 'Change the points expiry policy (applies to lots earned afterwards)', body: SettingsUpdate, response: { 200: LoyaltySettingsView, ...errorResponses } }
  }, async (request) => settingsBody(await services.points.updateSettings(requireActor(request), request.body)))
}
