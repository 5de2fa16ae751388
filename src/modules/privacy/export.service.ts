import { uuidv7 } from 'uuidv7'
import { runAction } from '../../db/action.js'
import { forbidden, invalid } from '../../errors.js'
import { maskEmail, maskPhone, normalizeEmail, normalizePhone } from '../../rules/contact.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { parse } from '../common/validate.js'
import type { ServiceDeps } from '../service-deps.js'
import { exportRecords, type ExportedRecord } from './export-records.js'
import { PersonalDataSubjectInput } from './export.schemas.js'
import { findSubjectRecords, recordKinds, type RecordKind, type Subject, type SubjectRecords } from './subject-records.js'

export type ExportHeader = { exportId: string; generatedAt: string; subject: Subject; counts: Record<RecordKind, number> }
export type ExportDocument = ExportHeader & { records: Record<RecordKind, Record<string, unknown>[]> }
export type ExportFormat = 'json' | 'ndjson'

/** Roles that may export a person's data: an admin, or an integration key (the OA / DPO workflow that answers the request). */
const exporters: ReadonlySet<Actor['role']> = new Set(['admin', 'integration'])

/**
 * 个人信息查阅复制 (PIPL arts. 44–45, docs/privacy.md): every record of one person, with clear
 * values, as one document or a stream. Each export is audited (`privacy.exported`): who, when,
 * the request, the subject as ids and masks (never the clear value) and how many records.
 */
export class PersonalDataExportService {
  constructor(private readonly deps: ServiceDeps) {}

  /** personalDataExport / POST /privacy/exports: the whole document. An unknown person gets the same shape, every list empty. */
  async document(actor: Actor, input: unknown, now = new Date()): Promise<ExportDocument> {
    const { header, ids } = await this.start(actor, input, 'json', now)
    const records = Object.fromEntries(recordKinds.map((k) => [k, [] as Record<string, unknown>[]])) as ExportDocument['records']
    for await (const { kind, record } of this.records(ids)) records[kind].push(record)
    return { ...header, records }
  }

  /** Authorises, validates, finds the person's records and writes the audit entry; the records are read after, by `records`. */
  async start(actor: Actor, input: unknown, format: ExportFormat, now = new Date()): Promise<{ header: ExportHeader; ids: SubjectRecords }> {
    if (!exporters.has(actor.role)) throw forbidden(`Role ${actor.role} may not export personal data (admin or integration)`)
    if (actor.entities) throw forbidden('A key limited to some entities may not export personal data')
    const subject = subjectOf(parse(PersonalDataSubjectInput, input ?? {}))
    const exportId = uuidv7()
    const ids = await runAction(this.deps.db, actionContext(actor), async (action) => {
      const found = await findSubjectRecords(action.tx, this.deps.pii, subject)
      action.audit({
        action: 'privacy.exported', entityType: 'personal_data_export', entityId: exportId,
        changes: { subject: auditedSubject(subject), format, counts: countsOf(found), customerIds: found.customers, referrerIds: found.referrers }
      })
      return found
    })
    return { header: { exportId, generatedAt: now.toISOString(), subject, counts: countsOf(ids) }, ids }
  }

  /** The records of `start`, kind by kind, read in chunks as the consumer pulls. */
  records(ids: SubjectRecords): AsyncGenerator<ExportedRecord> {
    return exportRecords(this.deps.db, this.deps.pii, ids)
  }
}

/** Exactly one identifier, normalised; a malformed phone or email is the caller's mistake, named by its field. */
function subjectOf(input: PersonalDataSubjectInput): Subject {
  const given = (['phone', 'email', 'customerId', 'referrerId'] as const).filter((k) => input[k] !== undefined)
  if (given.length !== 1) {
    throw invalid('subject', `name exactly one of phone, email, customerId, referrerId (got ${given.length === 0 ? 'none' : given.join(', ')})`, 'SUBJECT')
  }
  if (input.phone !== undefined) {
    const phone = normalizePhone(input.phone)
    if (!phone.ok) throw invalid('phone', phone.reason, 'INVALID_PHONE')
    return { phone: phone.value }
  }
  if (input.email !== undefined) {
    const email = normalizeEmail(input.email)
    if (!email.ok) throw invalid('email', email.reason, 'INVALID_EMAIL')
    return { email: email.value }
  }
  return input.customerId !== undefined ? { customerId: input.customerId.toLowerCase() } : { referrerId: input.referrerId!.toLowerCase() }
}

/** The subject as the audit trail keeps it: an id, or a masked phone or email. */
function auditedSubject(subject: Subject): Record<string, string> {
  if ('phone' in subject) return { phone: maskPhone(subject.phone) }
  if ('email' in subject) return { email: maskEmail(subject.email) }
  return subject
}

const countsOf = (ids: SubjectRecords) => Object.fromEntries(recordKinds.map((k) => [k, ids[k].length])) as Record<RecordKind, number>
