import { sql } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { rows, ts } from '../../db/rows.js'
import { actionContext, systemActor } from '../auth/actor.js'
import type { ServiceDeps } from '../service-deps.js'
import { ErasureService } from './erasure.service.js'
import { ERASED_NAME } from './erasure-scrub.js'
import { noRecords, type SubjectTable } from './erasure-subject.js'

const DAY = 86_400_000

/** One kind of data the retention rules cover: which rows are due, as of a cutoff. */
type Rule = { kind: string; table: SubjectTable; days: number; due: ReturnType<typeof sql> }

/** What one run erased, per kind. */
export type RetentionOutcome = Record<string, number>

/**
 * Retention (docs/privacy.md): personal fields are kept no longer than their purpose needs.
 * Each rule's due records are erased as erasePersonalData erases, a batch per transaction,
 * audited as `privacy.erased` with source "retention". Only the due record itself: another
 * live record of the same person (a customer who was also a referrer) keeps its data, and a
 * value it shares (its phone's blind index) is not swept from elsewhere. Webhook delivery
 * logs are pruned by the webhook-history-prune job (WEBHOOK_RETENTION_DAYS).
 */
export class RetentionService {
  private readonly erasure: ErasureService
  constructor(private readonly deps: ServiceDeps) {
    this.erasure = new ErasureService(deps)
  }

  private rules(now: Date): Rule[] {
    const c = this.deps.config
    const cutoff = (days: number) => ts(new Date(now.getTime() - days * DAY))
    // An erased record has the placeholder name: it is not due again.
    const live = sql`name is distinct from ${ERASED_NAME}`
    return [
      { kind: 'rejectedReferrals', table: 'referrals' as const, days: c.RETENTION_REJECTED_REFERRAL_DAYS,
        due: sql`status = 'rejected' and updated_at < ${cutoff(c.RETENTION_REJECTED_REFERRAL_DAYS)} and ${live}` },
      { kind: 'deletedCustomers', table: 'customers' as const, days: c.RETENTION_DELETED_CUSTOMER_DAYS,
        due: sql`deleted_at < ${cutoff(c.RETENTION_DELETED_CUSTOMER_DAYS)} and merged_into_id is null and ${live}` },
      { kind: 'deletedReferrers', table: 'referrers' as const, days: c.RETENTION_DELETED_REFERRER_DAYS,
        due: sql`deleted_at < ${cutoff(c.RETENTION_DELETED_REFERRER_DAYS)} and ${live}` },
      { kind: 'deletedLeads', table: 'leads' as const, days: c.RETENTION_DELETED_LEAD_DAYS,
        due: sql`deleted_at < ${cutoff(c.RETENTION_DELETED_LEAD_DAYS)} and ${live}` }
    ].filter((r) => r.days > 0)
  }

  /** One pass as of `now` (the job's time): every due record of every rule, in batches. */
  async run(now: Date = new Date()): Promise<RetentionOutcome> {
    const outcome: RetentionOutcome = {}
    const batch = this.deps.config.RETENTION_BATCH
    for (const rule of this.rules(now)) {
      outcome[rule.kind] = 0
      for (;;) {
        const erased = await runAction(this.deps.db, actionContext(systemActor), async (action) => {
          const due = await rows<{ id: string }>(action.tx, sql`select id::text as id from ${sql.raw(rule.table)} where ${rule.due} order by id limit ${batch} for update skip locked`)
          if (due.length === 0) return 0
          const ids = noRecords()
          ids[rule.table] = due.map((d) => d.id)
          await this.erasure.eraseIn(action, { indexes: [], ids }, `retention: ${rule.kind} after ${rule.days} days`, 'retention', [], { expand: false })
          return due.length
        })
        outcome[rule.kind] += erased
        if (erased < batch) break
      }
    }
    return outcome
  }
}
