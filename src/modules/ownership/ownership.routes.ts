import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import { CustomerView } from '../customers/customers.schemas.js'
import type { Services } from '../services.js'
import { CustomerMerge, OwnershipTransfer, TransferCounts } from './ownership.schemas.js'

/** POST /api/v1/ownership/transfer and /customers/{id}/merge: records changing hands. */
export const ownershipRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  app.post('/ownership/transfer', {
    schema: {
      tags: ['ownership'], summary: "Hand a departing rep's customers, leads, opportunities, tasks and referrers to another user (admin, manager)",
      body: OwnershipTransfer, response: { 200: Type.Object({ transferred: TransferCounts }), ...errorResponses }
    }
  }, async (request) => ({ transferred: await services.ownership.transfer(requireActor(request), request.body) }))

  app.post('/customers/:id/merge', {
    schema: {
      tags: ['customers'], summary: 'Merge duplicate customers into this one', params: IdParams, body: CustomerMerge,
      response: {
        200: Type.Object({ customer: CustomerView, mergedIds: Type.Array(Type.String()), moved: Type.Record(Type.String(), Type.Integer()) }),
        ...errorResponses
      }
    }
  }, async (request) => services.ownership.mergeCustomers(requireActor(request), request.params.id, request.body))
}
