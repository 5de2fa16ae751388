import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { TemplateCreate, TemplateListQuery, TemplateUpdate, TemplateView } from './templates.schemas.js'

/** /api/v1/message-templates: the same service as GraphQL's messageTemplates. */
export const templatesRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['message-templates']
  const one = { 200: TemplateView, ...errorResponses }

  app.get('/message-templates', {
    schema: { tags, summary: 'Message templates, newest first (keyset pages)', querystring: TemplateListQuery, response: { 200: listResponse(TemplateView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, ...filter } = request.query
    return listBody(await services.messageTemplates.list(requireActor(request), filter, { first: limit, after: cursor }))
  })

  app.post('/message-templates', {
    schema: { tags, summary: 'Create a message template; unknown variables and missing parts are refused, each on its field', body: TemplateCreate, response: { 201: TemplateView, ...errorResponses } }
  }, async (request, reply) => {
    const template = await services.messageTemplates.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/message-templates/${template.id}`)
    return withEtag(reply, template)
  })

  app.get('/message-templates/:id', {
    schema: { tags, summary: 'A message template', params: IdParams, response: one }
  }, async (request, reply) => withEtag(reply, await services.messageTemplates.get(requireActor(request), request.params.id)))

  app.patch('/message-templates/:id', {
    schema: { tags, summary: 'Change a template (If-Match: version); checked again as a whole', params: IdParams, body: TemplateUpdate, response: one }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.messageTemplates.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.delete('/message-templates/:id', {
    schema: { tags, summary: 'Delete a template (messages already made keep their content)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.messageTemplates.delete(requireActor(request), request.params.id)
    reply.code(204)
  })
}
