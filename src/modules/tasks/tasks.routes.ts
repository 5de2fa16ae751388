import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, listBody, listResponse, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import { TaskComplete, TaskCreate, TaskListQuery, TaskUpdate, TaskView } from './tasks.schemas.js'

/** /api/v1/tasks: the same service as GraphQL, resource style. */
export const tasksRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['tasks']

  app.get('/tasks', {
    schema: { tags, summary: 'List tasks (keyset pages)', querystring: TaskListQuery, response: { 200: listResponse(TaskView), ...errorResponses } }
  }, async (request) => {
    const { limit, cursor, orderBy, direction, ...filter } = request.query
    const order = { field: orderBy ?? 'createdAt', direction: direction === 'asc' ? 'ASC' : 'DESC' } as const
    return listBody(await services.tasks.list(requireActor(request), filter, order, { first: limit, after: cursor }))
  })

  app.post('/tasks', {
    schema: { tags, summary: 'Create a task', body: TaskCreate, response: { 201: TaskView, ...errorResponses } }
  }, async (request, reply) => {
    const task = await services.tasks.create(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/tasks/${task.id}`)
    return withEtag(reply, task)
  })

  app.get('/tasks/:id', {
    schema: { tags, summary: 'Get a task', params: IdParams, response: { 200: TaskView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.tasks.get(requireActor(request), request.params.id)))

  app.patch('/tasks/:id', {
    schema: { tags, summary: 'Change an open task (If-Match: version for optimistic concurrency)', params: IdParams, body: TaskUpdate, response: { 200: TaskView, ...errorResponses } }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const task = await services.tasks.update(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    return withEtag(reply, task)
  })

  app.post('/tasks/:id/complete', {
    // The note is optional, and so is the body that carries it.
    preValidation: async (request) => { request.body ??= {} },
    schema: { tags, summary: 'Mark an open task done', params: IdParams, body: TaskComplete, response: { 200: TaskView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.tasks.complete(requireActor(request), request.params.id, request.body)))

  app.post('/tasks/:id/cancel', {
    schema: { tags, summary: 'Cancel an open task', params: IdParams, response: { 200: TaskView, ...errorResponses } }
  }, async (request, reply) => withEtag(reply, await services.tasks.cancel(requireActor(request), request.params.id)))
}
