import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { displayCouponCode } from '../../rules/coupon-code.js'
import { answerLocale } from '../../i18n/localize.js'
import { translate } from '../../i18n/translate.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import {
  AssignInput, BatchInput, BatchView, CodeParams, CouponListQuery, CouponView, IssueInput, RedeemInput, RedemptionView, RestoreInput,
  TemplateCreate, TemplateListQuery, TemplateUpdate, TemplateView, ValidateInput, ValidationView, VoidInput
} from './coupons.schemas.js'

/** /api/v1/coupon-templates, /api/v1/coupon-batches and /api/v1/coupons: the same services as GraphQL. */
export const couponsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['coupons']
  const coupon = { 200: CouponView, ...errorResponses }
  const used = Type.Object({ redemption: RedemptionView, coupon: CouponView })

  app.get('/coupon-templates', {
    schema: { tags, summary: 'Coupon templates, newest first (keyset pages)', querystring: TemplateListQuery, response: { 200: listResponse(TemplateView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.couponTemplates.list(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.post('/coupon-templates', {
    schema: { tags, summary: 'Create a coupon template (amount_off, percent_off with a maximum, or gift)', body: TemplateCreate, response: { 201: TemplateView, ...errorResponses } }
  }, async (request, reply) => {
    const template = await services.couponTemplates.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/coupon-templates/${template.id}`)
    return withEtag(reply, template)
  })

  app.get('/coupon-templates/:id', {
    schema: { tags, summary: 'A coupon template', params: IdParams, response: { 200: TemplateView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.couponTemplates.get(requireActor(request), request.params.id)))

  app.patch('/coupon-templates/:id', {
    schema: { tags, summary: 'Change a template (If-Match: version); what it gives is fixed once coupons are issued', params: IdParams, body: TemplateUpdate, response: { 200: TemplateView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.couponTemplates.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.post('/coupon-templates/:id/batches', {
    schema: {
      tags, summary: 'Unassigned codes of the template: up to 10,000 made now (201), more by a job (202, poll the batch)',
      params: IdParams, body: BatchInput, response: { 201: BatchView, 202: BatchView, ...errorResponses }
    }
  }, async (request, reply) => {
    const batch = await services.coupons.issueBatch(requireActor(request), request.params.id, request.body)
    if (batch.status === 'pending') await app.jobs?.send('coupon-batches')
    reply.code(batch.status === 'pending' ? 202 : 201).header('location', `/api/v1/coupon-batches/${batch.id}`)
    return batch
  })

  app.get('/coupon-batches/:id', {
    schema: { tags, summary: 'A batch: its status and how many codes exist', params: IdParams, response: { 200: BatchView, ...errorResponses } }
  }, async (request) => services.coupons.batch(requireActor(request), request.params.id))

  app.get('/coupon-batches/:id/codes', {
    schema: {
      tags, summary: "A batch's codes as CSV (code, displayCode, status, customerId), streamed", params: IdParams, produces: ['text/csv'],
      response: { 200: Type.String({ description: 'CSV with a header row' }), ...errorResponses }
    }
  }, async (request, reply) => {
    const pages = services.coupons.batchCodes(requireActor(request), request.params.id)
    // The first page is read before answering, so a refusal is still a problem+json.
    const first = await pages.next()
    async function* csv() {
      yield 'code,displayCode,status,customerId\n'
      for (let page = first; !page.done; page = await pages.next()) {
        yield page.value.map((c) => `${c.code},${displayCouponCode(c.code)},${c.status},${c.customerId ?? ''}\n`).join('')
      }
    }
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="coupon-batch-${request.params.id}.csv"`)
    return reply.send(Readable.from(csv()))
  })

  app.post('/coupons', {
    schema: { tags, summary: 'Issue one coupon of a template to a customer or a referrer', body: IssueInput, response: { 201: CouponView, ...errorResponses } }
  }, async (request, reply) => {
    const issued = await services.coupons.issue(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/coupons/${issued.id}`)
    return issued
  })

  app.get('/coupons', {
    schema: { tags, summary: "Coupons, newest first: a holder's, a template's, a batch's (keyset pages)", querystring: CouponListQuery, response: { 200: listResponse(CouponView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.coupons.list(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.post('/coupons/validate', {
    schema: {
      tags, summary: 'Would this code apply to this order, and what would it take off? Uses nothing; 200 with valid: false and the reason when not',
      body: ValidateInput, response: { 200: ValidationView, ...errorResponses }
    }
  }, async (request, reply) => {
    const v = await services.coupons.validate(requireActor(request), request.body)
    // The answer's words follow Accept-Language, as error messages do; reason codes never change.
    return { ...v, message: translate(v.message, answerLocale(request, reply)) }
  })

  app.post('/coupons/redemptions', {
    schema: {
      tags, summary: '核销: use a coupon on an order exactly once (422 ALREADY_REDEEMED for any other try); send an Idempotency-Key to retry safely',
      body: RedeemInput, response: { 201: used, ...errorResponses }
    }
  }, async (request, reply) => {
    const done = await services.coupons.redeem(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/coupons/redemptions/${done.redemption.id}`)
    return done
  })

  app.get('/coupons/redemptions/:id', {
    schema: { tags, summary: 'A redemption', params: IdParams, response: { 200: RedemptionView, ...errorResponses } }
  }, async (request) => services.coupons.redemption(requireActor(request), request.params.id))

  app.post('/coupons/redemptions/:id/restoration', {
    schema: { tags, summary: 'Put a used coupon back by hand (a cancelled sale); a full refund of its order does this itself', params: IdParams, body: RestoreInput, response: { 200: used, ...errorResponses } }
  }, async (request) => services.coupons.restore(requireActor(request), request.params.id, request.body ?? {}))

  app.post('/coupons/assignments', {
    schema: { tags, summary: 'Hand an unassigned code to a customer or a referrer', body: AssignInput, response: coupon }
  }, async (request) => services.coupons.assign(requireActor(request), request.body))

  app.get('/coupons/by-code/:code', {
    schema: { tags, summary: 'A coupon by its code as typed (400 INVALID_CODE for a mistyped one)', params: CodeParams, response: coupon }
  }, async (request, reply) => withEtag(reply, await services.coupons.byCode(requireActor(request), request.params.code)))

  app.get('/coupons/:id', {
    schema: { tags, summary: 'A coupon', params: IdParams, response: coupon }
  }, async (request, reply) => withEtag(reply, await services.coupons.get(requireActor(request), request.params.id)))

  app.post('/coupons/:id/void', {
    schema: { tags, summary: 'Void an unused coupon with a reason', params: IdParams, body: VoidInput, response: coupon }
  }, async (request) => services.coupons.void(requireActor(request), request.params.id, request.body))
}
