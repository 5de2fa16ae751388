import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireActor } from '../../plugins/auth.js'
import { errorResponses } from '../../http/rest.js'
import { StringEnum } from '../common/schemas.js'
import type { Services } from '../services.js'
import type { ReportDefinition } from './analytics.report.js'
import { reports } from './analytics.reports.js'

const PeriodText = Type.String({ minLength: 10, maxLength: 40, description: 'ISO 8601 time with offset, or YYYY-MM-DD (that day\'s start in REPORTING_TIMEZONE)' })

/** Query parameters every report takes (docs/analytics.md, "Periods"). */
export const CommonReportQuery = {
  from: Type.Optional(PeriodText),
  to: Type.Optional(PeriodText),
  bucket: Type.Optional(StringEnum(['day', 'week', 'month'], 'Series bucket in REPORTING_TIMEZONE (default day)')),
  compare: Type.Optional(Type.Boolean({ description: 'Also answer the previous period of the same length' })),
  format: Type.Optional(StringEnum(['json', 'csv'], 'csv: UTF-8 with BOM, for spreadsheets'))
}

function register(app: Parameters<FastifyPluginAsyncTypebox<{ services: Services }>>[0], services: Services, definition: ReportDefinition<TObject>) {
  const querystring = Type.Object({ ...CommonReportQuery, ...definition.query.properties }, { additionalProperties: false })
  app.get(`/analytics/${definition.name}`, {
    schema: {
      tags: ['analytics'], summary: definition.summary, querystring,
      response: { 200: definition.response, ...errorResponses }
    }
  }, async (request, reply) => {
    const { from, to, bucket, compare, format, ...own } = request.query as Record<string, unknown>
    const period = { from: from as string | undefined, to: to as string | undefined, bucket: bucket as 'day' | undefined, compare: compare as boolean | undefined }
    const args = definition.fromQuery(own)
    const actor = requireActor(request)
    if (format === 'csv') {
      const body = await services.analytics.csv(actor, definition, period, args)
      return reply.type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${definition.name}.csv"`)
        .send(body)
    }
    return services.analytics.run(actor, definition, period, args)
  })
}

/** GET /api/v1/analytics/{report}: each report's JSON, or its CSV with ?format=csv. */
export const analyticsRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  for (const definition of reports) register(app, services, definition as ReportDefinition<TObject>)
}
