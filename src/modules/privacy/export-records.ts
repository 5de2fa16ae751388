import { inArray } from 'drizzle-orm'
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core'
import type { Executor } from '../../db/client.js'
import {
  activities, consentRecords, couponRedemptions, coupons, customerLevelChanges, customerMerges, customers, journeyEnrollments, leads, messages,
  opportunities, orders, pointsAccounts, pointsEntries, pointsRedemptions, referrals, referrers, rewards, surveyInvitations, surveyResponses,
  tasks, ticketComments, tickets
} from '../../db/schema/index.js'
import type { PiiCipher } from '../../lib/pii.js'
import { maskName } from '../analytics/leaderboard/leaderboard.report.js'
import type { RecordKind, SubjectRecords } from './subject-records.js'

/** One line of an export: a record and its kind. */
export type ExportedRecord = { kind: RecordKind; record: Record<string, unknown> }

type Source = { table: PgTable & { id: PgColumn }; thirdParty?: boolean; omit?: string[] }

/**
 * Where each kind is read. `thirdParty`: the record describes someone else (a person the
 * subject referred), so that person's contact is masked and their name shortened (张**), and
 * their own consent answer left out: an export gives the subject their data, not others'.
 * `omit`: the referral's `sourceIp` is the submitter's (the referrer's), not the referred person's.
 */
const sources: Record<RecordKind, Source> = {
  customers: { table: customers }, referrers: { table: referrers },
  referralsAsReferredPerson: { table: referrals, omit: ['sourceIp'] }, referralsAsReferrer: { table: referrals, thirdParty: true },
  leads: { table: leads }, opportunities: { table: opportunities }, activities: { table: activities }, tasks: { table: tasks },
  orders: { table: orders }, rewards: { table: rewards }, consents: { table: consentRecords }, tickets: { table: tickets },
  ticketComments: { table: ticketComments }, surveyInvitations: { table: surveyInvitations }, surveyResponses: { table: surveyResponses },
  pointsAccounts: { table: pointsAccounts }, pointsEntries: { table: pointsEntries }, pointsRedemptions: { table: pointsRedemptions },
  coupons: { table: coupons }, couponRedemptions: { table: couponRedemptions }, memberLevelChanges: { table: customerLevelChanges },
  journeyEnrollments: { table: journeyEnrollments }, messages: { table: messages }, customerMerges: { table: customerMerges }
}

const CHUNK = 500

/** The records, kind by kind, in id (creation) order, read CHUNK at a time: an NDJSON export never holds them all. */
export async function* exportRecords(ex: Executor, pii: PiiCipher, ids: SubjectRecords): AsyncGenerator<ExportedRecord> {
  for (const [kind, list] of Object.entries(ids) as [RecordKind, string[]][]) {
    const { table, thirdParty = false, omit = [] } = sources[kind]
    for (let i = 0; i < list.length; i += CHUNK) {
      const found = await ex.select().from(table).where(inArray(table.id, list.slice(i, i + CHUNK))).orderBy(table.id)
      for (const row of found) {
        const record = shape(pii, row as Record<string, unknown>, thirdParty)
        for (const key of omit) delete record[key]
        yield { kind, record }
      }
    }
  }
}

/**
 * A row as the subject receives it: sealed values opened (`phoneEnc` → `phone`, and any
 * other `…Enc`), blind indexes, masks and token hashes left out (they mean nothing outside
 * the service). Nested objects (a merge's snapshot) are shaped the same way.
 */
export function shape(pii: PiiCipher, row: Record<string, unknown>, thirdParty = false): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    if (key.endsWith('Idx') || key.endsWith('Masked') || key.endsWith('Hash')) continue
    if (key.endsWith('Enc')) {
      const base = key.slice(0, -3)
      out[base] = typeof value !== 'string' ? null : thirdParty ? row[`${base}Masked`] ?? null : pii.open(value)
    } else if (thirdParty && key === 'name' && typeof value === 'string') out[key] = maskName(value)
    else if (thirdParty && key === 'consent') continue
    else out[key] = value instanceof Date ? value.toISOString() : isPlainObject(value) ? shape(pii, value, thirdParty) : value
  }
  return out
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && Object.getPrototypeOf(v) === Object.prototype
