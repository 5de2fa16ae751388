import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses, expectedVersionOf, ifMatchVersion, withEtag } from '../../http/rest.js'
import { IdParams } from '../common/schemas.js'
import type { Services } from '../services.js'
import {
  AssignmentDecisionView, AssignmentRuleCreate, AssignmentRuleUpdate, AssignmentRuleView, FollowUpPolicyInput,
  FollowUpPolicyView, LeadAssignmentPreviewInput, PolicySourceParams
} from './routing.schemas.js'

const all = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Type.Null() })

/** /api/v1/assignment-rules and /api/v1/follow-up-policies: lead routing as data. */
export const routingRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['routing']
  const rule = { 200: AssignmentRuleView, ...errorResponses }

  app.get('/assignment-rules', {
    schema: { tags, summary: 'Every assignment rule, in the order routing tries them', response: { 200: all(AssignmentRuleView), ...errorResponses } }
  }, async (request) => ({ data: await services.routing.listRules(requireActor(request)), nextCursor: null }))

  app.post('/assignment-rules', {
    schema: { tags, summary: 'Add an assignment rule (exactly one of assigneeId, teamId)', body: AssignmentRuleCreate, response: { 201: AssignmentRuleView, ...errorResponses } }
  }, async (request, reply) => {
    const created = await services.routing.createRule(requireActor(request), request.body)
    reply.code(201).header('location', `/api/v1/assignment-rules/${created.id}`)
    return withEtag(reply, created)
  })

  app.post('/assignment-rules/preview', {
    schema: { tags, summary: 'Who would get a lead with these facts now, and why (changes nothing)', body: LeadAssignmentPreviewInput, response: { 200: AssignmentDecisionView, ...errorResponses } }
  }, async (request) => {
    const d = await services.routing.previewAssignment(requireActor(request), request.body)
    return { ...d, teamId: d.teamId ?? null, ruleId: d.ruleId ?? null }
  })

  app.get('/assignment-rules/:id', {
    schema: { tags, summary: 'Get an assignment rule', params: IdParams, response: rule }
  }, async (request, reply) => withEtag(reply, await services.routing.getRule(requireActor(request), request.params.id)))

  app.patch('/assignment-rules/:id', {
    schema: { tags, summary: 'Change some fields (If-Match: version)', params: IdParams, body: AssignmentRuleUpdate, response: rule }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    return withEtag(reply, await services.routing.updateRule(requireActor(request), request.params.id, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) }))
  })

  app.delete('/assignment-rules/:id', {
    schema: { tags, summary: 'Delete an assignment rule (If-Match: version)', params: IdParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.routing.deleteRule(requireActor(request), request.params.id, ifMatchVersion(request))
    reply.code(204)
  })

  app.get('/follow-up-policies', {
    schema: { tags, summary: 'Every follow-up policy, by lead source', response: { 200: all(FollowUpPolicyView), ...errorResponses } }
  }, async (request) => ({ data: await services.routing.listPolicies(requireActor(request)), nextCursor: null }))

  app.put('/follow-up-policies/:source', {
    schema: {
      tags, summary: "Create or change the policy of a lead source ('*' for the default; If-Match: version)", params: PolicySourceParams,
      body: FollowUpPolicyInput, response: { 200: FollowUpPolicyView, 201: FollowUpPolicyView, ...errorResponses }
    }
  }, async (request, reply) => {
    const expectedVersion = expectedVersionOf(request, request.body)
    const { policy, created } = await services.routing.upsertPolicy(requireActor(request), request.params.source, { ...request.body, ...(expectedVersion ? { expectedVersion } : {}) })
    reply.code(created ? 201 : 200)
    return withEtag(reply, policy)
  })

  app.delete('/follow-up-policies/:source', {
    schema: { tags, summary: "Remove a source's policy: its leads fall back to '*'", params: PolicySourceParams, response: { 204: Type.Null(), ...errorResponses } }
  }, async (request, reply) => {
    await services.routing.deletePolicy(requireActor(request), request.params.source, ifMatchVersion(request))
    reply.code(204)
  })
}
