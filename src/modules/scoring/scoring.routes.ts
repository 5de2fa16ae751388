import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses } from '../../http/rest.js'
import { StringEnum } from '../common/schemas.js'
import type { Services } from '../services.js'
import { runView } from './scoring.views.js'

const Named = Type.Array(Type.Object({ name: Type.String(), count: Type.Integer() }))
export const ScoringRunView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  mode: StringEnum(['incremental', 'rebuild']),
  status: StringEnum(['succeeded', 'failed'], 'failed: the run rolled back and changed nothing; error says why, and the counts are 0'),
  error: Type.Union([Type.String(), Type.Null()]),
  asOf: Type.String({ format: 'date-time' }),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  windowDays: Type.Union([Type.Integer(), Type.Null()]),
  scored: Type.Integer(),
  unscored: Type.Integer(),
  rfmChanged: Type.Integer(),
  tierOrStageChanged: Type.Integer(),
  referrerTiersChanged: Type.Integer(),
  events: Type.Integer(),
  segments: Named,
  tiers: Named,
  stages: Named
}, { $id: 'ScoringRun' })

const RecomputeBody = Type.Object({
  mode: Type.Optional(StringEnum(['incremental', 'rebuild'], 'incremental (default): from the maintained aggregates; rebuild: recount them from every order first (repair)'))
}, { additionalProperties: false })

/** /api/v1/rfm: recompute scores now, and the record of past runs. */
export const scoringRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const tags = ['scoring']
  app.post('/rfm/recompute', {
    schema: { tags, summary: 'Rescore every customer as of now (RFM, segment, tier, lifecycle stage; referrer tiers); answers the run', body: Type.Optional(RecomputeBody), response: { 200: ScoringRunView, ...errorResponses } }
  }, async (request) => runView(await services.scoring.recompute(requireActor(request), request.body?.mode ?? 'incremental')))

  app.get('/rfm/runs', {
    schema: { tags, summary: 'The latest scoring runs, newest first', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }, { additionalProperties: false }), response: { 200: Type.Object({ data: Type.Array(ScoringRunView) }), ...errorResponses } }
  }, async (request) => ({ data: (await services.scoring.runs(requireActor(request), request.query.limit)).map(runView) }))
}
