import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/** The environment the service reads, once, at start. */
export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 10 }),
  /** PostgreSQL: longest a statement waits for a connection (new or free in the pool) before it fails with 503; 0: no limit. */
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 0, maximum: 600000, default: 10000 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' }
  ),
  JWT_SECRET: Type.Optional(Type.String({ minLength: 32 })),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'referral-crm' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'referral-crm-api' }),
  JWT_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86400, default: 3600 }),
  /** How long each process trusts an API key's status: the longest a revoked key's tokens keep working. */
  API_KEY_STATUS_TTL_MS: Type.Integer({ minimum: 0, maximum: 300000, default: 30000 }),
  PII_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  BOOTSTRAP_ADMIN_KEY: Type.Optional(Type.String({ minLength: 24 })),
  SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 10000 }),
  TRUST_PROXY: Type.Boolean({ default: false }),
  /** Background jobs (follow-up scans, consent expiry) on pg-boss in this process. */
  JOBS_ENABLED: Type.Boolean({ default: true }),
  /** Cron (UTC) of the follow-up SLA scan. */
  FOLLOW_UP_SCAN_CRON: Type.String({ minLength: 9, default: '*/5 * * * *' }),
  /** Cron (UTC) of the consent expiry and personal-data purge run. */
  CONSENT_EXPIRY_CRON: Type.String({ minLength: 9, default: '*/15 * * * *' }),
  /** Cron (UTC) of the reward auto-approval run (order rewards whose hold has ended). */
  REWARD_APPROVAL_CRON: Type.String({ minLength: 9, default: '*/10 * * * *' }),
  /** Cron (UTC) of the nightly RFM, segment, tier and stage recompute (default 18:00 UTC = 02:00 in China). */
  RFM_RECOMPUTE_CRON: Type.String({ minLength: 9, default: '0 18 * * *' }),
  /** Scoring thresholds and the segment table as JSON (docs/scoring.md); unset: the defaults. */
  SCORING_CONFIG: Type.Optional(Type.String({ minLength: 2 })),
  /** PIPL double confirmation: a new referral waits for the referred person's consent. */
  REFERRAL_CONSENT_REQUIRED: Type.Boolean({ default: true }),
  REFERRAL_CONSENT_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 8760, default: 72 }),
  /** Personal fields of an expired, never-consented referral are purged this long after expiry. */
  REFERRAL_PURGE_AFTER_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 30 }),
  /** First referrer of a person keeps them this long. */
  REFERRAL_ATTRIBUTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  /** Per-referrer velocity: more submissions than this are accepted but flagged for review. */
  REFERRAL_VELOCITY_PER_HOUR: Type.Integer({ minimum: 1, default: 20 }),
  REFERRAL_VELOCITY_PER_DAY: Type.Integer({ minimum: 1, default: 100 }),
  /** Public referral form: requests per minute per client IP, and per referral code. */
  PUBLIC_RATE_LIMIT_PER_IP: Type.Integer({ minimum: 1, default: 10 }),
  PUBLIC_RATE_LIMIT_PER_CODE: Type.Integer({ minimum: 1, default: 30 }),
  /** Run webhook delivery workers in this process (they share the work with every other process's). */
  WEBHOOK_WORKER_ENABLED: Type.Boolean({ default: true }),
  /** How often an idle delivery worker looks for new events and due retries. */
  WEBHOOK_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 200 }),
  /** Deliveries one worker sends at once. */
  WEBHOOK_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
  /** One attempt's limit: connect, send and read the answer. */
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 10000 }),
  /** Allow endpoint URLs that resolve to loopback, private or link-local addresses (SSRF guard off: tests, on-premise receivers). */
  WEBHOOK_ALLOW_PRIVATE_URLS: Type.Boolean({ default: false }),
  /** Finished deliveries (and their attempts) older than this are deleted by the webhook-history-prune job. */
  WEBHOOK_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  /** When webhook-history-prune runs (cron, UTC). */
  WEBHOOK_PRUNE_CRON: Type.String({ minLength: 9, default: '30 3 * * *' }),
  /** How long the previous secret keeps signing after a rotation. */
  WEBHOOK_SECRET_OVERLAP_HOURS: Type.Integer({ minimum: 0, maximum: 720, default: 24 }),
  /** Bulk import (docs/import-export.md): the largest body one import may send. */
  IMPORT_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 1_073_741_824 }),
  /** Rows per import chunk: staged by COPY and written in one transaction. */
  IMPORT_CHUNK_ROWS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
  /** Row errors an import report lists; past this they are only counted (errorsOmitted). */
  IMPORT_MAX_ERRORS: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 1000 }),
  /** Retention (docs/privacy.md): days after which the personal fields of rejected (incl. expired) referrals are erased; 0 keeps them. */
  RETENTION_REJECTED_REFERRAL_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 90 }),
  /** Days after a soft delete after which a customer's, referrer's or lead's personal fields are erased; 0 keeps them. */
  RETENTION_DELETED_CUSTOMER_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 30 }),
  RETENTION_DELETED_REFERRER_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 30 }),
  RETENTION_DELETED_LEAD_DAYS: Type.Integer({ minimum: 0, maximum: 36500, default: 30 }),
  /** Records one retention erasure takes (one transaction, one sweep of the tables); a run repeats until none is due. */
  RETENTION_BATCH: Type.Integer({ minimum: 1, maximum: 10000, default: 200 }),
  /** When the privacy-retention job runs (cron, UTC). */
  RETENTION_CRON: Type.String({ minLength: 9, default: '45 3 * * *' }),
  /** Idempotency-Key records live this long; a retry after that runs again. */
  IDEMPOTENCY_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 24 }),
  /** An in-flight Idempotency-Key whose request stops renewing its lock (its process died) is free again after this. */
  IDEMPOTENCY_LOCK_SECONDS: Type.Integer({ minimum: 3, maximum: 3600, default: 60 }),
  /** Cron (UTC) of the purge of Idempotency-Key records past their TTL. */
  IDEMPOTENCY_PURGE_CRON: Type.String({ minLength: 9, default: '23 * * * *' }),
  /** GraphQL limits per request (docs/integration.md, "GraphQL limits"): cost, aliases, mutation fields, depth. */
  GRAPHQL_MAX_COST: Type.Integer({ minimum: 1, default: 50000 }),
  GRAPHQL_MAX_ALIASES: Type.Integer({ minimum: 0, default: 50 }),
  GRAPHQL_MAX_MUTATIONS: Type.Integer({ minimum: 1, default: 10 }),
  GRAPHQL_MAX_DEPTH: Type.Integer({ minimum: 1, default: 12 }),
  /** The deepest nesting of objects and arrays in a JSON body, a GraphQL variable or an inline literal (400 beyond). */
  INPUT_MAX_DEPTH: Type.Integer({ minimum: 4, maximum: 1000, default: 32 }),
  /** Creates (and contact changes) whose phone or email a live customer (referrer) already has: refused unless allowDuplicate (reject), or accepted (allow). docs/customers.md */
  DUPLICATE_POLICY: Type.Union([Type.Literal('reject'), Type.Literal('allow')], { default: 'reject' }),
  /** A resolved (or closed) ticket may be reopened this many days after its resolution (docs/service.md). */
  TICKET_REOPEN_DAYS: Type.Integer({ minimum: 0, maximum: 3650, default: 7 }),
  /** When the ticket SLA breach scan runs (cron, UTC). */
  TICKET_SLA_SCAN_CRON: Type.String({ minLength: 9, default: '* * * * *' }),
  /** When due survey invitations are sent and stale ones expire (cron, UTC). */
  SURVEY_DISPATCH_CRON: Type.String({ minLength: 9, default: '* * * * *' }),
  /** Public tracking-page replies per minute per ticket (besides the per-IP limit). */
  PUBLIC_RATE_LIMIT_PER_TICKET: Type.Integer({ minimum: 1, default: 5 }),
  /** The IANA time zone whose calendar days, weeks and months the reports count in (docs/analytics.md). */
  REPORTING_TIMEZONE: Type.String({ minLength: 1, default: 'Asia/Shanghai' }),
  /** Cron (UTC) of the points expiry run (default 16:05 UTC = 00:05 in China, just after month-end lots expire). */
  POINTS_EXPIRY_CRON: Type.String({ minLength: 9, default: '5 16 * * *' }),
  /** Cron (UTC) of the member level review (default 16:35 UTC = 00:35 in China, after the points expiry run). */
  LEVEL_REVIEW_CRON: Type.String({ minLength: 9, default: '35 16 * * *' }),
  /** Run the message delivery worker (and the staff-notification fan-out) in this process (docs/notifications.md). */
  MESSAGE_WORKER_ENABLED: Type.Boolean({ default: true }),
  /** How often an idle message worker looks for due messages and new staff events. */
  MESSAGE_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 500 }),
  /** Messages one worker sends at once. */
  MESSAGE_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: 8 }),
  /** One send's limit (HTTP robot or SMS call, or a whole SMTP session). */
  MESSAGE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120000, default: 10000 }),
  /** Staff events older than this when first seen (a backlog at upgrade, a long outage) are marked and not notified. */
  STAFF_NOTIFY_MAX_AGE_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 24 }),
  /** The default SMS channel from the environment: the provider's endpoint (docs/notifications.md, "SMS"). */
  SMS_PROVIDER_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  SMS_API_KEY: Type.Optional(Type.String({ minLength: 1 })),
  /** The header carrying SMS_API_KEY. */
  SMS_API_KEY_HEADER: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$', default: 'X-Api-Key' }),
  /** The SMS signature (签名) the provider has approved, sent as signName. */
  SMS_SIGN_NAME: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** The default email channel from the environment: smtp://user:password@host:587 or smtps://…:465. */
  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  /** The From of the default email channel, e.g. "Referral CRM <crm@example.com>". */
  SMTP_FROM: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  /** Run the journeys worker in this process: event triggers and due steps (docs/automation.md); it shares the work with every other process's. */
  JOURNEY_WORKER_ENABLED: Type.Boolean({ default: true }),
  /** How often an idle journeys worker looks for new events and due steps. */
  JOURNEY_POLL_MS: Type.Integer({ minimum: 10, maximum: 60000, default: 1000 }),
  /** Events, or due enrollments, one transaction of the journeys worker takes. */
  JOURNEY_BATCH: Type.Integer({ minimum: 1, maximum: 50000, default: 1000 }),
  /** Cron (UTC) of the journey-scan job: audience entry and leave, inactivity and date triggers. */
  JOURNEY_SCAN_CRON: Type.String({ minLength: 9, default: '*/5 * * * *' }),
  /** Marketing frequency caps per customer (docs/guardrails.md): across channels per rolling day and week, and per channel kind. */
  MESSAGE_CAP_PER_DAY: Type.Integer({ minimum: 0, maximum: 1000, default: 1 }),
  MESSAGE_CAP_PER_WEEK: Type.Integer({ minimum: 0, maximum: 1000, default: 3 }),
  MESSAGE_CAP_PER_CHANNEL_DAY: Type.Integer({ minimum: 0, maximum: 1000, default: 1 }),
  MESSAGE_CAP_PER_CHANNEL_WEEK: Type.Integer({ minimum: 0, maximum: 1000, default: 3 }),
  /** Quiet hours in the customer's time zone (HH:MM, start > end spans midnight; equal: none). */
  QUIET_HOURS_START: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', default: '21:00' }),
  QUIET_HOURS_END: Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', default: '09:00' }),
  /** A message held by quiet hours longer than this is dropped (held_too_long) instead of sent late. */
  HELD_MESSAGE_MAX_AGE_HOURS: Type.Integer({ minimum: 1, maximum: 720, default: 24 }),
  /** Cron (UTC) of the held-messages release. */
  HELD_MESSAGES_CRON: Type.String({ minLength: 9, default: '* * * * *' }),
  /** Where the public routes are reached from outside (unsubscribe links in messages). */
  PUBLIC_BASE_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' })
})

export type Config = Static<typeof ConfigSchema>

export class ConfigError extends Error {}

const SECRETS: ReadonlySet<string> = new Set(['JWT_SECRET', 'PII_KEY', 'BOOTSTRAP_ADMIN_KEY', 'SMS_API_KEY', 'SMTP_URL'])

// Start-up errors land in logs: say what was wrong without printing a secret or a password.
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing'
  if (SECRETS.has(name)) return `a value of ${value.length} characters`
  if (name === 'DATABASE_URL') return JSON.stringify(value.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'))
  return JSON.stringify(value)
}

/**
 * Reads and validates the environment. A wrong value stops start-up with a message
 * naming the variable, rather than surfacing later as an odd failure.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(ConfigSchema, raw)
  const converted = Value.Convert(ConfigSchema, withDefaults) as Record<string, unknown>
  // TypeBox reads '80.5' as 80 and '1e3' as 1: only plain digits count as an integer.
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const value = env[key]
    if (schema.type === 'integer' && value && !/^\s*[+-]?\d+\s*$/.test(value)) converted[key] = value
  }
  const errors = [...Value.Errors(ConfigSchema, converted)].map((e) => ({ path: e.path, message: e.message }))
  if (typeof converted.REPORTING_TIMEZONE === 'string' && !isTimeZone(converted.REPORTING_TIMEZONE)) {
    errors.push({ path: '/REPORTING_TIMEZONE', message: 'Expected an IANA time zone such as Asia/Shanghai' })
  }
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const name = e.path.replace(/^\//, '') || '(environment)'
      return `${name}: ${e.message} (got ${shown(name, env[name])})`
    })
    throw new ConfigError(`Invalid configuration:\n  ${[...new Set(lines)].join('\n  ')}`)
  }
  return converted as Config
}

/** A zone name both Node's Intl and PostgreSQL know (IANA names; 'UTC' included). */
export function isTimeZone(name: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(name)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}
