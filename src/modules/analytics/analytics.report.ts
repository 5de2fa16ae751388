import type { Static, TObject, TSchema } from '@sinclair/typebox'
import type { ServiceDeps } from '../service-deps.js'
import type { Actor } from '../auth/actor.js'
import type { Reach } from '../auth/permissions.js'
import type { CsvTable } from './analytics.csv.js'
import type { ReportPeriod } from './analytics.period.js'

/** What a report runs with: the database, the caller and its analytics reach, the resolved period. */
export type ReportContext = {
  deps: ServiceDeps
  actor: Actor
  /** authorize(actor, 'analytics', 'read'): all, team, own or self (referrer tokens). */
  reach: Reach
  period: ReportPeriod
  now: Date
}

/**
 * One report, the same on both transports (docs/analytics.md): GraphQL resolvers and the
 * REST route `GET /api/v1/analytics/{name}` both call AnalyticsService.run with it.
 */
export type ReportDefinition<Q extends TObject = TObject, A = unknown, R = unknown> = {
  /** The REST path segment, kebab-case: referral-funnel, referrer-leaderboard, ... */
  name: string
  summary: string
  /** REST query parameters of its own (from, to, bucket, compare and format are common). */
  query: Q
  /** The JSON answer, for OpenAPI and the response serializer. */
  response: TSchema
  /** REST query → the report's arguments (the same shape GraphQL resolvers pass). */
  fromQuery(query: Static<Q>): A
  /** Which roles may run it beyond the analytics grant: referrer tokens only where the report says so. */
  referrerAllowed?: boolean
  run(ctx: ReportContext, args: A): Promise<R>
  /** The answer as one table for `?format=csv`. */
  csv(result: R, ctx: ReportContext): CsvTable
}

/** Any report, whatever its arguments and answer (the REST routes' list; its methods are bivariant). */
export type AnyReportDefinition = ReportDefinition<TObject, unknown, unknown>
